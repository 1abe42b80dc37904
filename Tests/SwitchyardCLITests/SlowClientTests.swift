import Foundation
import SwitchyardServiceTesting
import SwitchyardTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A raw TCP connection on loopback, for clients that misbehave in ways an HTTP client cannot.
/// Blocking: use it on a thread of its own, never on the async runtime's. One thread at a time
/// uses a connection (hence unchecked).
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

/// What the misbehaving clients saw.
struct SlowClientReport: Sendable {
    var healthz: [(status: String, seconds: Double)] = []
    var idle: [(text: String, closed: Bool)] = []
    var trickling: [(text: String, closed: Bool)] = []
    /// Bodies nobody reads: a POST without a token, a GET with a body.
    var unread: [(text: String, closed: Bool)] = []
}

/// Slow and idle clients cannot take the server down: connections with no request, with headers
/// never finished, and with bodies sent a byte at a time are closed on their deadlines, while
/// /healthz keeps answering quickly through them. The server is the real binary in a process of
/// its own; the clients run on a thread of their own. One test at a time: each measures latency
/// under a load of its own making, which the other's load would blur.
@Suite(.serialized) struct SlowClientTests {
    @Test func idleAndTricklingConnectionsAreCutOffAndHealthzKeepsAnswering() async throws {
        let (url, drop) = try await TestDatabases.make(.sqlite)
        defer { Task { await drop() } }
        let server = try ServerProcess(
            database: url, arguments: ["--workers", "0", "--idle-timeout", "1", "--request-body-timeout", "1.5"])
        defer { server.stop() }
        let token = try #require(server.token)
        let port = try #require(server.base.split(separator: ":").last.flatMap { Int($0) })
        let report = try await onOwnThread { try Self.misbehave(port: port, token: token) }
        #expect(report.healthz.allSatisfy { $0.status.hasPrefix("HTTP/1.1 200") }, "\(report.healthz.map(\.status))")
        let latencies = report.healthz.map(\.seconds).sorted()
        // Held connections would make a new request wait seconds (an idle timeout, or the 5 s
        // receive limit). Alone, p99 is 10-20 ms here; beside the rest of the suite on 2 cores it
        // reached 168 ms once, so the bound tells stalls from a busy machine, not speed.
        #expect(latencies.count == 100 && latencies[98] < 0.5, "p99 \(latencies[98]) s; slowest \(latencies.last!) s")
        if latencies.count == 100 {
            print(
                String(
                    format: "slow clients: /healthz p50 %.1f ms, p99 %.1f ms, slowest %.1f ms over 100 requests",
                    latencies[49] * 1000, latencies[98] * 1000, latencies[99] * 1000))
        }
        // By the end (over 4 s) every idle and half-sent connection was closed by the server,
        // and every trickling body refused with 408 and closed.
        #expect(report.idle.allSatisfy { $0.closed && $0.text.isEmpty })
        #expect(report.trickling.allSatisfy { $0.closed && $0.text.hasPrefix("HTTP/1.1 408") })
        // A body the answer did not need is not waited for: the answer goes out at once with
        // Connection: close, and the connection is closed however slowly the body trickles.
        #expect(report.unread.count == 20)
        #expect(
            report.unread.allSatisfy {
                $0.closed && ($0.text.hasPrefix("HTTP/1.1 401") || $0.text.hasPrefix("HTTP/1.1 200"))
                    && $0.text.lowercased().contains("connection: close")
            }, "\(report.unread.map { String($0.text.prefix(40)) })")
    }

    /// With its connection table full of idle connections (and more waiting to be accepted), a
    /// server still answers a new /healthz at once: the longest-idle connections make room.
    /// Without that, the new connection waits in the listen backlog for an idle timeout (30 s).
    @Test func aFullConnectionTableMakesRoomForNewConnections() async throws {
        let (url, drop) = try await TestDatabases.make(.sqlite)
        defer { Task { await drop() } }
        let server = try ServerProcess(
            database: url, arguments: ["--workers", "0", "--idle-timeout", "30", "--max-connections", "40"])
        defer { server.stop() }
        let port = try #require(server.base.split(separator: ":").last.flatMap { Int($0) })
        let latencies = try await onOwnThread {
            let idle = try (0..<60).map { _ in try RawConnection(port: port) }
            usleep(300_000)
            var seconds: [Double] = []
            for _ in 0..<20 {
                let clock = ContinuousClock.now
                let c = try RawConnection(port: port)
                c.send("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                let (text, _) = c.readToEnd()
                let elapsed = (ContinuousClock.now - clock).components
                seconds.append(
                    text.hasPrefix("HTTP/1.1 200") ? Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18 : 99)
            }
            withExtendedLifetime(idle) {}
            return seconds.sorted()
        }
        // What it guards against is the idle timeout, 30 s. The bound leaves room for a machine
        // busy with the suite's solves: one of 20 took 2.07 s in a full run (2026-12-08), the
        // other 19 under 0.1 s.
        #expect(latencies.count == 20 && latencies.last! < 5, "\(latencies)")
    }

    /// 150 idle, 50 half-headed and 20 trickling connections; 100 /healthz requests meanwhile.
    static func misbehave(port: Int, token: String) throws -> SlowClientReport {
        var report = SlowClientReport()
        let idle = try (0..<150).map { _ in try RawConnection(port: port) }
        let halfHeaders = try (0..<50).map { _ in try RawConnection(port: port) }
        for c in halfHeaders { c.send("GET /healthz HTTP/1.1\r\nHost: t\r\n") }
        let unread = try (0..<20).map { _ in try RawConnection(port: port) }
        for (i, c) in unread.enumerated() {
            c.send(
                i % 2 == 0
                    ? "POST /v1/plans HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n{"
                    : "GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n{")
        }
        let trickling = try (0..<20).map { _ in try RawConnection(port: port) }
        for c in trickling {
            c.send(
                "POST /v1/providers HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \(token)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
        }
        // A byte every 100 ms from each trickling client for 4 s: each one restarts the idle
        // timeout, so only the body deadline can end them.
        let trickler = Thread {
            for _ in 0..<40 {
                for c in trickling + unread { c.send(" ") }
                usleep(100_000)
            }
        }
        trickler.start()
        let started = Date()
        for _ in 0..<100 {
            let clock = ContinuousClock.now
            let c = try RawConnection(port: port)
            c.send("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            let (text, _) = c.readToEnd()
            let elapsed = (ContinuousClock.now - clock).components
            report.healthz.append(
                (String(text.prefix(15)), Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18))
        }
        while Date().timeIntervalSince(started) < 4.5 { usleep(50_000) }
        report.idle = (idle + halfHeaders).map { $0.readToEnd(wait: false) }
        report.trickling = trickling.map { $0.readToEnd(wait: false) }
        report.unread = unread.map { $0.readToEnd(wait: false) }
        return report
    }
}
