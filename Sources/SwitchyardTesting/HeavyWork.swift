import Foundation

/// Runs a test's CPU-heavy synchronous work (plans, re-plans, simulations, checkers run as
/// subprocesses) off the async runtime's threads, at most as many bodies at once as the
/// machine has cores.
///
/// The runtime has one thread per core (two here). A synchronous test holds one for as long as
/// it runs, so while two long solves ran, the tests that wait on servers and databases could
/// not resume: the serialised server tests were first scheduled about five minutes into a
/// run and then ran alone for three more. Here the body runs on threads of its own, the
/// runtime's threads stay free for the waiting tests, and the cores still run at most one
/// heavy body each. (At nice 5, below the rest, a 10 s generated plan beside the dashboard
/// tests found no plan in its time: heavy work runs at the tests' own priority.) The body
/// runs in the test's own task (a task executor preference, not a detached thread), so an
/// `#expect` inside it is the test's. A test that measures its own wall time runs `alone`: it
/// holds every slot, so no other heavy body runs beside it; it takes them at once, at its
/// place in the queue.
public func heavy<T>(alone: Bool = false, _ body: () throws -> T) async throws -> T {
    let slots = alone ? HeavyWork.slots.count : 1
    await HeavyWork.slots.take(slots)
    do {
        let value = try await withTaskExecutorPreference(HeavyWork.executor) {
            // The preference takes effect when the task is next scheduled, not while it runs on.
            await Task.yield()
            return try body()
        }
        await HeavyWork.slots.give(slots)
        return value
    } catch {
        await HeavyWork.slots.give(slots)
        throw error
    }
}

enum HeavyWork {
    static let slots = Slots(ProcessInfo.processInfo.activeProcessorCount)
    static let executor = ThreadPerJobExecutor()

    /// Set in the thread dictionary of each thread heavy work runs on. (A Linux thread's name
    /// is its creator's, so a name would not tell them apart.)
    static let marker = "switchyard.tests.heavy"

    /// A counting semaphore for async callers, first come first served: a caller that needs
    /// several slots at once waits at its place in the queue, and those behind it wait too (else
    /// one slot taken early was held idle for the whole run while the other went round).
    actor Slots {
        /// The slots there are.
        nonisolated let count: Int
        private var free: Int
        private var waiting: [(need: Int, continuation: CheckedContinuation<Void, Never>)] = []

        init(_ count: Int) {
            self.count = max(1, count)
            free = self.count
        }

        func take(_ need: Int = 1) async {
            if waiting.isEmpty, free >= need {
                free -= need
                return
            }
            await withCheckedContinuation { waiting.append((need, $0)) }
        }

        func give(_ slots: Int = 1) {
            free += slots
            while let first = waiting.first, first.need <= free {
                free -= first.need
                waiting.removeFirst().continuation.resume()
            }
        }
    }

    /// Runs each job on a new thread (with the 16 MiB stack the planner's worker threads have):
    /// a heavy body is one long job between few suspensions, so a thread each costs nothing
    /// that matters and never waits behind another body.
    final class ThreadPerJobExecutor: TaskExecutor {
        func enqueue(_ job: consuming ExecutorJob) {
            let job = UnownedJob(job)
            let executor = asUnownedTaskExecutor()
            let thread = Thread {
                Thread.current.threadDictionary[HeavyWork.marker] = true
                job.runSynchronously(on: executor)
            }
            thread.stackSize = 16 << 20
            thread.start()
        }
    }
}

/// Whether this thread is one heavy work runs on (`heavy`).
public var isHeavyWorkThread: Bool { Thread.current.threadDictionary[HeavyWork.marker] as? Bool == true }
