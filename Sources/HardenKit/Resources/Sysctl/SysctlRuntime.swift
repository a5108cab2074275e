/// Read access to the live kernel values (`/proc/sys`), provided by the caller only when the
/// target root is the running system's `/`.
public protocol SysctlRuntime {
    /// The current value of `key` (dotted form; read it from `/proc/sys/` +
    /// `SysctlKey.procPath(key)`), or nil when the key does not exist (e.g. a module such as
    /// br_netfilter is not loaded) or cannot be read.
    func read(_ key: String) -> String?
}
