import NIOCore
import NIOHTTPTypes
import Synchronization

/// Keeps room for new connections when the connection table is nearly full, by closing the
/// connection that has been idle longest (a keep-alive between requests, or one that never sent
/// a request).
///
/// Without it, a server holding `maxConnections` idle connections accepts nothing until one of
/// them times out: 2,000 idle connections made a new `/healthz` wait up to 35 s. Past
/// `maxConnections - reserve` open connections, each new one closes the longest-idle other one,
/// so the last `reserve` places stay free for newcomers (a health check among them). A connection
/// with a request under way is never closed this way; when every one is busy, new connections
/// wait in the listen backlog as before.
final class ConnectionTable: Sendable {
    /// Open connections past which the longest-idle one is closed for each new one.
    let threshold: Int

    struct Entry {
        let channel: any Channel
        /// When its last response ended (or it opened); nil while a request is under way.
        var idleSince: ContinuousClock.Instant?
    }

    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    /// For a server of `maxConnections`: a reserve of 1/16 of them, 1 to 64.
    init(maxConnections: Int) {
        let reserve = min(64, max(1, maxConnections / 16))
        threshold = max(1, maxConnections - reserve)
    }

    /// Registers a new connection; closes the longest-idle other one when past the threshold.
    func opened(_ channel: any Channel) {
        let victim: (any Channel)? = entries.withLock { entries in
            entries[ObjectIdentifier(channel)] = Entry(channel: channel, idleSince: .now)
            guard entries.count > threshold else { return nil }
            let idle = entries.filter { $0.key != ObjectIdentifier(channel) && $0.value.idleSince != nil }
            guard let oldest = idle.min(by: { $0.value.idleSince! < $1.value.idleSince! }) else { return nil }
            entries[oldest.key] = nil
            return oldest.value.channel
        }
        victim?.close(promise: nil)
    }

    func busy(_ channel: any Channel) { set(channel, idleSince: nil) }

    func idle(_ channel: any Channel) { set(channel, idleSince: .now) }

    func closed(_ channel: any Channel) { entries.withLock { $0[ObjectIdentifier(channel)] = nil } }

    private func set(_ channel: any Channel, idleSince: ContinuousClock.Instant?) {
        entries.withLock { entries in
            if entries[ObjectIdentifier(channel)] != nil { entries[ObjectIdentifier(channel)]!.idleSince = idleSince }
        }
    }
}

/// Tells the connection table when its connection opens, starts and ends a request, and closes.
final class ConnectionTracker: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let table: ConnectionTable

    init(table: ConnectionTable) { self.table = table }

    func handlerAdded(context: ChannelHandlerContext) { table.opened(context.channel) }

    func handlerRemoved(context: ChannelHandlerContext) { table.closed(context.channel) }

    func channelInactive(context: ChannelHandlerContext) {
        table.closed(context.channel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { table.busy(context.channel) }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { table.idle(context.channel) }
        context.write(data, promise: promise)
    }
}
