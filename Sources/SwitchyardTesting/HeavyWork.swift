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
/// runs in the test's own task (a task
/// executor preference, not a detached thread), so an `#expect` inside it is the test's.
/// A test that measures its own wall time is not heavy work.
public func heavy<T>(_ body: () throws -> T) async throws -> T {
    await HeavyWork.slots.take()
    do {
        let value = try await withTaskExecutorPreference(HeavyWork.executor) {
            // The preference takes effect when the task is next scheduled, not while it runs on.
            await Task.yield()
            return try body()
        }
        await HeavyWork.slots.give()
        return value
    } catch {
        await HeavyWork.slots.give()
        throw error
    }
}

enum HeavyWork {
    static let slots = Slots(ProcessInfo.processInfo.activeProcessorCount)
    static let executor = ThreadPerJobExecutor()

    /// Set in the thread dictionary of each thread heavy work runs on. (A Linux thread's name
    /// is its creator's, so a name would not tell them apart.)
    static let marker = "switchyard.tests.heavy"

    /// A counting semaphore for async callers, first come first served.
    actor Slots {
        private var free: Int
        private var waiting: [CheckedContinuation<Void, Never>] = []

        init(_ count: Int) { free = max(1, count) }

        func take() async {
            if free > 0 {
                free -= 1
                return
            }
            await withCheckedContinuation { waiting.append($0) }
        }

        func give() {
            if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
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
