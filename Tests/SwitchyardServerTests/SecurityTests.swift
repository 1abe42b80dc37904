import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SwitchyardCatalog
import SwitchyardStore
import SwitchyardTesting
import Testing

@testable import SwitchyardServer

/// What an attacker tried against the server, each kept out: paths spelled so that the role
/// check and the router disagree, markup smuggled inside a grapheme cluster, a sign-in posted
/// from another site, an If-Match list, JSON with a trailing comma.
@Suite struct SecurityTests {
    /// A route of each kind, a method on it, and the role it needs.
    static let routes: [(method: HTTPRequest.Method, path: String, role: Role)] = [
        (.post, "/v1/tokens", .admin), (.get, "/v1/tokens", .admin), (.delete, "/v1/tokens/x", .admin),
        (.post, "/v1/plans", .planner), (.post, "/v1/providers", .planner), (.get, "/v1/providers", .viewer),
        (.get, "/v1/plans", .viewer), (.get, "/plans", .viewer), (.get, "/leases", .viewer),
    ]

    /// Other spellings of `path` that a lax router would answer as `path`.
    static func spellings(_ path: String) -> [String] {
        let parts = path.split(separator: "/").map(String.init)
        var out = ["/" + path, path + "/", "/." + path, path + "/.", "//" + parts.joined(separator: "//")]
        if parts.count >= 2 {
            let head = "/" + parts[0]
            let tail = parts.dropFirst().joined(separator: "/")
            out += [
                head + "//" + tail, head + "/./" + tail, head + "%2F" + tail, head + "/%2e/" + tail,
                head + "/x/../" + tail, head + "%2f" + tail, head + "/%5C" + tail,
            ]
        }
        return out
    }

    /// Every route × role × spelling: the canonical spelling gets exactly the role matrix, and
    /// every other spelling is refused (400) or, for a read, sent to the canonical one (308)
    /// before anything is decided on it. The attack of the report, a planner minting an admin
    /// token through `/v1//tokens`, mints nothing.
    @Test func authorisationFollowsTheRouteNotThePathsSpelling() async throws {
        try await Harness.with { h in
            try await h.test { c in
                let tokens: [(Role, String)] = [(.viewer, h.viewer), (.planner, h.planner), (.admin, h.admin)]
                let before = try await h.store.tokens().count
                for route in Self.routes {
                    for (role, token) in tokens {
                        let r = try await c.call(route.method, route.path, token: token, body: "{}")
                        let allowed = role >= route.role
                        #expect(
                            (r.status == 403) != allowed,
                            "\(route.method) \(route.path) as \(role): \(r.status) \(r.text)")
                        for spelling in Self.spellings(route.path) {
                            let s = try await c.call(route.method, spelling, token: token, body: "{}")
                            let read = route.method == .get || route.method == .head
                            if read, s.status == 308 {
                                #expect(
                                    s.header("Location") == route.path, "\(spelling) → \(s.header("Location") ?? "")")
                            } else {
                                #expect(
                                    s.status == 400, "\(route.method) \(spelling) as \(role): \(s.status) \(s.text)")
                            }
                        }
                    }
                }
                #expect(try await h.store.tokens().count == before)
                // The dashboard's cookie is no key to the API, however the path is spelt.
                let cookie = ["Cookie": try await c.signIn(h.planner), "Origin": "http://evil.example"]
                for path in ["/v1/plans", "//v1/plans", "/v1//plans", "/./v1/plans"] {
                    let r = try await c.call(.post, path, token: nil, headers: cookie)
                    #expect(r.status == 401 || r.status == 400, "\(path) with a cookie: \(r.status)")
                }
            }
        }
    }

    /// Characters that join the one before or after them into one grapheme cluster: Unicode's
    /// "prepend" characters, combining marks, joiners and variation selectors.
    static let joiners: [Unicode.Scalar] =
        [
            0x0600, 0x0601, 0x0602, 0x0603, 0x0604, 0x0605, 0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2, 0x0D4E, 0x110BD,
            0x110CD, 0x111C2, 0x111C3, 0x1193F, 0x11941, 0x11A3A, 0x11A84, 0x11D46, 0x0300, 0x0301, 0x0327, 0x036F,
            0x20D0, 0x20E3, 0x200D, 0x200C, 0xFE0F, 0xFE00, 0x1F3FB, 0x1160, 0x11A8, 0x0E33,
        ].compactMap(Unicode.Scalar.init)
    static let markup: [Unicode.Scalar] = ["<", ">", "\"", "'", "&", "a", "b", "=", " ", "/", "1"]

    /// The escaper works on Unicode scalars: over thousands of random strings mixing markup
    /// characters with every kind of joining character, its output never holds a raw `<`, `>`,
    /// `"` or `'`, and every `&` begins one of its entities; unescaping gives the text back.
    @Test func escapingHoldsForEveryGraphemeCluster() {
        var random = SplitMix64(seed: 34)
        let alphabet = Self.joiners + Self.markup
        for _ in 0..<5_000 {
            var text = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 1...24, using: &random) {
                text.append(alphabet[Int.random(in: 0..<alphabet.count, using: &random)])
            }
            let input = String(text)
            let out = esc(input)
            #expect(Self.isSafe(out), "\(input.unicodeScalars.map { String($0.value, radix: 16) }) → \(out)")
            #expect(Self.unescape(out) == Array(input.unicodeScalars))
            let html: HTML = "<p title=\"\(input)\">\(input)</p>"
            let expected = "<p title=\"" + out + "\">" + out + "</p>"
            #expect(Array(html.markup.unicodeScalars) == Array(expected.unicodeScalars))
        }
    }

    /// The entities the escaper writes, as scalars.
    static let entities: [(entity: [Unicode.Scalar], scalar: Unicode.Scalar)] = [
        ("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"),
    ].map { (Array($0.0.unicodeScalars), $0.1) }

    /// No raw markup character, and every `&` starts an entity; compared scalar by scalar (a
    /// String comparison would compare grapheme clusters, the very mistake this is about).
    static func isSafe(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        for (i, s) in scalars.enumerated() {
            if s == "<" || s == ">" || s == "\"" || s == "'" { return false }
            if s == "&", !entities.contains(where: { scalars[i...].starts(with: $0.entity) }) { return false }
        }
        return true
    }

    static func unescape(_ text: String) -> [Unicode.Scalar] {
        var scalars = Array(text.unicodeScalars)[...]
        var out: [Unicode.Scalar] = []
        while let first = scalars.first {
            if let match = entities.first(where: { scalars.starts(with: $0.entity) }) {
                out.append(match.scalar)
                scalars = scalars.dropFirst(match.entity.count)
            } else {
                out.append(first)
                scalars = scalars.dropFirst()
            }
        }
        return out
    }

    /// The report's reflection: a plan id of U+0600 and markup comes back escaped on the page,
    /// and so does a scenario name a planner stored.
    @Test func aPageNeverReflectsMarkup() async throws {
        try await Harness.with { h in
            try await h.test { c in
                let r = try await c.call(.get, "/plans/%D8%80%3Cb%20id=x%D8%80%3E", token: h.viewer)
                #expect(r.status == 404)
                #expect(!r.text.contains("<b id=x"), "\(r.text)")
                #expect(r.text.contains("&lt;b id=x"))
            }
        }
    }

    /// A sign-in posted from another site's page is refused, whatever it carries: a browser
    /// says so in Sec-Fetch-Site and Origin, and no other site has the form's anti-forgery
    /// value and cookie. The service's own form signs in.
    @Test func aSignInFromAnotherSiteIsRefused() async throws {
        try await Harness.with { h in
            try await h.test { c in
                let form = ["Content-Type": "application/x-www-form-urlencoded"]
                let bare = try await c.call(.post, "/login", token: nil, body: "token=\(h.viewer)", headers: form)
                #expect(bare.status == 403 && bare.header("Set-Cookie")?.contains("switchyard_session") != true)
                for headers in [
                    ["Sec-Fetch-Site": "cross-site"], ["Sec-Fetch-Site": "same-site"],
                    ["Origin": "http://evil.example"],
                    ["Origin": "null"], ["Origin": "http://127.0.0.1:9", "Host": "127.0.0.1:8080"],
                ] {
                    let r = try await c.postSignIn("token=\(h.viewer)", headers: headers)
                    #expect(r.status == 403, "\(headers): \(r.status)")
                    #expect(r.header("Set-Cookie")?.contains("switchyard_session") != true, "\(headers)")
                    #expect(r.text.contains("another site"), "\(headers)")
                }
                let wrongValue = try await c.call(
                    .post, "/login", token: nil, body: "token=\(h.viewer)&csrf=abc",
                    headers: form.merging(["Cookie": "switchyard_signin=def"]) { $1 })
                #expect(wrongValue.status == 403)
                for headers in [
                    ["Sec-Fetch-Site": "same-origin", "Origin": "http://127.0.0.1:8080", "Host": "127.0.0.1:8080"],
                    ["Sec-Fetch-Site": "none"], [:],
                ] {
                    let r = try await c.postSignIn("token=\(h.viewer)", headers: headers)
                    #expect(
                        r.status == 200 && r.header("Set-Cookie")?.contains("switchyard_session") == true, "\(headers)")
                }
            }
        }
    }

    /// JSON has no trailing commas; a body with one is malformed (400), not read as YAML would.
    @Test func jsonWithATrailingCommaIsMalformed() async throws {
        try await Harness.with { h in
            try await h.test { c in
                for body in [#"{"id": "lambda", "kind": "neocloud",}"#, #"{"id": "x", "kind": "neocloud", "a": [1,]}"#]
                {
                    let r = try await c.call(.post, "/v1/providers", token: h.planner, body: body)
                    #expect(r.status == 400, "\(body): \(r.status) \(r.text)")
                }
                let commaInText = try await c.call(
                    .post, "/v1/providers", token: h.planner,
                    body: #"{"id": "lambda", "kind": "neocloud", "name": "a,}"}"#)
                #expect(commaInText.status != 400, "\(commaInText.text)")
            }
        }
    }

    /// An offer's available nodes cannot go below what its live leases hold, and an offer with
    /// live leases cannot be deleted: 409 naming the leases, the offer unchanged.
    @Test func liveLeasesKeepTheirOffer() async throws {
        try await Harness.with { h in
            try await h.test { c in
                let started = try await c.call(.post, "/v1/plans", token: h.planner)
                try await h.drainJobs()
                let job = try await c.call(.get, try #require(started.header("Location")), token: h.viewer)
                let plan = try #require(job.json["plan"] as? String)
                let accepted = try await c.call(.post, "/v1/plans/\(plan)/accept", token: h.planner)
                let leases = try #require(accepted.json["leases"] as? [[String: Any]])
                let offerID = try #require(leases.first?["offer"] as? String)
                let offer = try await c.call(.get, "/v1/offers/\(offerID)", token: h.viewer)
                var body = offer.json
                body["availableNodes"] = 1
                let edit = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
                let lowered = try await c.call(
                    .put, "/v1/offers/\(offerID)", token: h.planner, body: edit,
                    headers: ["If-Match": offer.header("ETag") ?? "*"])
                #expect(lowered.status == 409, "\(lowered.text)")
                #expect(lowered.text.contains("live leases"))
                let deleted = try await c.call(
                    .delete, "/v1/offers/\(offerID)", token: h.planner,
                    headers: ["If-Match": offer.header("ETag") ?? "*"])
                #expect(deleted.status == 409, "\(deleted.text)")
                #expect(deleted.text.contains("live lease"))
                let after = try await c.call(.get, "/v1/offers/\(offerID)", token: h.viewer)
                #expect(after.status == 200 && after.header("ETag") == offer.header("ETag"))
            }
        }
    }
}
