import ArgumentParser
import Foundation
import HardenKit

/// `harden graph --profile P`: the desired-state graph in topological order.
struct Graph: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "graph", abstract: "Print the desired-state graph (text or Graphviz dot).")

    enum GraphFormat: String, ExpressibleByArgument, CaseIterable { case text, dot }

    @OptionGroup var common: CommonOptions

    @Option(help: "Output format: text or dot.")
    var format: GraphFormat = .text

    func validate() throws { try common.requireProfile() }

    func run() throws {
        let out = Output(noColor: common.noColor)
        guard let set = common.loadSet(out) else { throw ExitCode(ExitCodes.error) }
        let graph = DesiredGraph(rules: set.activeRules)
        out.printRaw(format == .dot ? graph.renderDot() : graph.renderText())
    }
}
