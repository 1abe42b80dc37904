import Foundation

/// Names Kubernetes accepts, made from Switchyard's identifiers.
///
/// An object's name and a label's value must be a DNS-1123 label: at most 63 characters of
/// lower-case letters, digits and `-`, starting and ending with a letter or digit. Identifiers in
/// a scenario are freer (upper case, dots, spaces in cluster names, any Unicode), so every name an
/// export writes goes through `label(_:)`. Two different identifiers that map to the same text
/// are told apart by `Names`, which adds a short hash of the original to the later one.
public enum KubeName {
    /// The longest DNS-1123 label.
    public static let maximumLength = 63

    /// `text` as a DNS-1123 label: lower case, every run of other characters one `-`, trimmed
    /// of `-` at both ends, cut to 63 characters (with a hash of the whole when cut), and `x`
    /// when nothing is left.
    ///
    ///     KubeName.label("coreweave nvidia-gb200 us-east")  // "coreweave-nvidia-gb200-us-east"
    ///     KubeName.label("tpu-v7-phase1 at cw-colo-nj")     // "tpu-v7-phase1-at-cw-colo-nj"
    public static func label(_ text: String) -> String {
        var out = ""
        var dash = false
        for scalar in text.lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                if dash && !out.isEmpty { out += "-" }
                out.unicodeScalars.append(scalar)
                dash = false
            } else {
                dash = true
            }
        }
        if out.isEmpty { return "x-" + hash(text) }
        if out.count > maximumLength {
            let suffix = "-" + hash(text)
            var head = String(out.prefix(maximumLength - suffix.count))
            while head.hasSuffix("-") { head.removeLast() }
            out = head + suffix
        }
        return out
    }

    /// Eight hex digits of FNV-1a over the text's UTF-8: stable across runs and machines.
    static func hash(_ text: String) -> String {
        var h: UInt32 = 0x811c_9dc5
        for byte in text.utf8 {
            h ^= UInt32(byte)
            h = h &* 0x0100_0193
        }
        return String(format: "%08x", h)
    }

    /// Unique labels for a set of identifiers: each gets `label(_:)`, and where two collide the
    /// identifiers after the first in sorted order get a hash suffix, so the result does not
    /// depend on the order they are named in.
    public struct Names: Sendable {
        private var byIdentifier: [String: String] = [:]

        /// Names for `identifiers` (duplicates allowed).
        public init(_ identifiers: some Sequence<String>) {
            var taken: Set<String> = []
            for identifier in Set(identifiers).sorted() {
                var name = KubeName.label(identifier)
                if taken.contains(name) {
                    let suffix = "-" + KubeName.hash(identifier)
                    name = String(name.prefix(KubeName.maximumLength - suffix.count)) + suffix
                }
                taken.insert(name)
                byIdentifier[identifier] = name
            }
        }

        /// The label for an identifier given at creation (or its plain label otherwise).
        public subscript(_ identifier: String) -> String { byIdentifier[identifier] ?? KubeName.label(identifier) }
    }
}
