import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SwitchyardServer
import SwitchyardStore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A raw TCP connection on loopback, for clients that misbehave in ways an HTTP client cannot.
final class RawConnection: @unchecked Sendable {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Sends `text`; false when the server has closed the connection.
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    /// What arrives until the server closes the connection (waiting up to 5 s for more, or not
    /// at all when `wait` is false), and whether it closed.
    func readToEnd(wait: Bool = true) -> (text: String, closed: Bool) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, wait ? 0 : Int32(MSG_DONTWAIT)) }
            if n > 0 {
                received += buffer[0..<n]
            } else {
                return (String(decoding: received, as: UTF8.self), n == 0 || errno == ECONNRESET)
            }
        }
    }
}

/// Slow and idle clients cannot take the server down: connections with no request, with headers
/// never finished, and with bodies sent a byte at a time are closed on their deadlines, while
/// /healthz keeps answering quickly through them.
@Suite struct SlowClientTests {
    @Test func idleAndTricklingConnectionsAreCutOffAndHealthzKeepsAnswering() async throws {
        try await Harness.with { h in
            var options = ServerOptions()
            options.host = "127.0.0.1"
            options.port = 0
            options.idleTimeoutSeconds = 1
            options.requestBodySeconds = 1.5
            let server = SwitchyardServer(store: h.store, options: options)
            var logger = Logger(label: "slow-clients")
            logger.logLevel = .critical
            try await server.application(logger: logger).test(.live) { client in
                let port = try #require(client.port)
                let idle = try (0..<150).map { _ in try RawConnection(port: port) }
                let halfHeaders = try (0..<50).map { _ in try RawConnection(port: port) }
                for c in halfHeaders { c.send("GET /healthz HTTP/1.1\r\nHost: t\r\n") }
                let trickling = try (0..<20).map { _ in try RawConnection(port: port) }
                for c in trickling {
                    c.send(
                        "POST /v1/providers HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \(h.planner)\r\n"
                            + "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
                }
                // A byte every 100 ms from each trickling client: each one restarts the idle
                // timeout, so only the body deadline can end them.
                let trickle = Task.detached {
                    for _ in 0..<40 {
                        for c in trickling { c.send(" ") }
                        try? await Task.sleep(for: .milliseconds(100))
                    }
                }
                // Meanwhile /healthz answers, each request on a fresh connection.
                var latencies: [Double] = []
                for _ in 0..<100 {
                    let started = ContinuousClock.now
                    let c = try RawConnection(port: port)
                    c.send("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                    let (text, _) = c.readToEnd()
                    #expect(text.hasPrefix("HTTP/1.1 200"), "\(text)")
                    let elapsed = (ContinuousClock.now - started).components
                    latencies.append(Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
                }
                latencies.sort()
                #expect(latencies[98] < 0.1, "p99 \(latencies[98]) s; slowest \(latencies.last!) s")
                await trickle.value
                // By now (over 4 s) every idle and half-sent connection has been closed by the
                // server, and every trickling body refused with 408 and closed.
                for c in idle + halfHeaders {
                    let (text, closed) = c.readToEnd(wait: false)
                    #expect(closed && text.isEmpty, "\(text)")
                }
                for c in trickling {
                    let (text, closed) = c.readToEnd(wait: false)
                    #expect(closed && text.hasPrefix("HTTP/1.1 408"), "\(text)")
                }
            }
        }
    }
}
