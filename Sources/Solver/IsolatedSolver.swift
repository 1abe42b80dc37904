import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Cbc in a child process. COIN-OR Cbc 2.10 as Debian ships it (built with assertions) can abort
/// the whole process inside Clp on models it otherwise solves (`ClpNonLinearCost.cpp:1064:
/// lowerValue <= upperValue`; coin-or/Clp#173 and #299, coin-or/Cbc#701): reproduced here on a
/// generated 9-month scenario, where any change of Cbc's settings avoids it and none is known
/// to avoid it always. A child that dies takes only that solve with it: the solve comes back
/// `.failed` and the planner keeps the plan it already had. Each solve runs `executable
/// solve-milp` (the `switchyard` program), which reads the program and options as JSON on
/// standard input and writes the solution as JSON on standard output (`serveSolve`).
public struct IsolatedCbcSolver: LinearSolver {
    public var name: String { "cbc" }
    /// The program that answers `solve-milp`.
    public let executable: URL

    /// A solver running `executable` for each solve.
    public init(executable: URL) { self.executable = executable }

    /// The `switchyard` program beside the one running (the CLI itself, or, for tests, the one
    /// built beside the test bundle); nil when there is none.
    public static func besideThisProgram() -> IsolatedCbcSolver? {
        let running = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let candidate = running.deletingLastPathComponent().appendingPathComponent("switchyard")
        guard FileManager.default.isExecutableFile(atPath: candidate.path) else { return nil }
        return IsolatedCbcSolver(executable: candidate)
    }

    /// What the child reads.
    struct Request: Codable {
        var program: LinearProgram
        var options: SolveOptions
    }

    public func solve(_ program: LinearProgram, options: SolveOptions) throws -> Solution {
        try solve(program, options: options, cancelled: nil)
    }

    /// The same, with the child stopped (the solve `.limitReached`) as soon as `cancelled` says
    /// so; it is asked about four times a second.
    public func solve(_ program: LinearProgram, options: SolveOptions, cancelled: (@Sendable () -> Bool)?) throws
        -> Solution
    {
        try validate(program)
        let clock = ContinuousClock.now
        let request = try Self.encoder.encode(Request(program: program, options: options))
        // Cbc checks its time limit between nodes only: on a large model it ran 144 s with a 42 s
        // limit. The child is stopped when the limit and a grace have passed.
        let deadline = options.timeLimitSeconds.map { $0 + Self.grace(forLimit: $0) }
        let outcome = Self.run(
            executable.path, argument: "solve-milp", input: request, log: options.logLevel > 0, deadline: deadline,
            cancelled: cancelled)
        let seconds = (ContinuousClock.now - clock).seconds
        guard case .answer(let answer) = outcome,
            var solution = try? Self.decoder.decode(Solution.self, from: answer)
        else {
            return .empty(outcome == .stopped ? .limitReached : .failed, seconds: seconds, solver: name)
        }
        solution.seconds = seconds
        return solution
    }

    /// Seconds past its time limit a child may take to answer before it is stopped: half the
    /// limit, at least 1 s and at most 5 s (a 1.4 s search given 5 s more overran a 30 s plan
    /// by 4 s).
    static func grace(forLimit limit: Double) -> Double { min(5, max(1, limit / 2)) }

    /// How a child ended.
    enum Outcome: Equatable {
        /// Its standard output, after it exited with status 0.
        case answer(Data)
        /// It could not start, was killed by a signal or exited non-zero.
        case failed
        /// Still running at the deadline: killed.
        case stopped
    }

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34 and later), found at run time
    /// because Swift's Glibc module does not declare it.
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    static let addCloseFrom: AddCloseFrom? = dlsym(
        UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np"
    )
    .map { unsafeBitCast($0, to: AddCloseFrom.self) }

    /// Has the child close every descriptor from `first` on; without the glibc call, each one
    /// open now (from /proc/self/fd).
    static func closeFrom(_ first: Int32, in actions: inout posix_spawn_file_actions_t) {
        if let addCloseFrom, addCloseFrom(&actions, first) == 0 { return }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap({ Int32($0) }).sorted() where fd >= first {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
    }

    /// Runs `path argument` with `input` as its standard input (from a temporary file, so no
    /// second thread has to feed a pipe) and returns its standard output; a child still running
    /// `deadline` seconds after it started is killed. Its standard error (the solver's log) is
    /// this process's when `log`, else discarded. posix_spawn and waitpid directly: Foundation's
    /// `Process` on Linux, started from many threads at once, crashed a test run.
    static func run(
        _ path: String, argument: String, input: Data, log: Bool = false, deadline: Double? = nil,
        cancelled: (@Sendable () -> Bool)? = nil
    ) -> Outcome {
        let started = ContinuousClock.now
        let inputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("switchyard-milp-\(UUID().uuidString).json").path
        guard FileManager.default.createFile(atPath: inputPath, contents: input) else { return .failed }
        defer { try? FileManager.default.removeItem(atPath: inputPath) }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return .failed }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        if !log { posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0) }
        posix_spawn_file_actions_addclose(&actions, readEnd)
        posix_spawn_file_actions_addclose(&actions, writeEnd)
        // Nothing but stdio crosses into the child: not a server's listening socket (a restart on
        // the same port would fail while a solve runs), its connections or database files, nor
        // another thread's pipe (whose reader would then wait for this child too).
        closeFrom(3, in: &actions)
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(path), strdup(argument), nil]
        defer { for arg in argv { free(arg) } }
        var pid = pid_t()
        // ETXTBSY: another thread's child, between its fork and its exec, still holds a
        // just-written executable open for writing (a script a test wrote a moment ago). The
        // window closes within milliseconds: retry a few times before calling the start failed.
        var spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        var retries = 0
        while spawned == ETXTBSY && retries < 50 {
            usleep(20_000)
            spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
            retries += 1
        }
        close(writeEnd)
        guard spawned == 0 else {
            close(readEnd)
            return .failed
        }
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var stopped = false
        while true {
            if deadline != nil || cancelled != nil {
                let left = (deadline ?? .infinity) - (ContinuousClock.now - started).seconds
                if left <= 0 || cancelled?() == true {
                    kill(pid, SIGKILL)
                    stopped = true
                    break
                }
                var waiting = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&waiting, 1, Int32(min(left, cancelled == nil ? 1 : 0.25) * 1000) + 1)
                if ready == 0 || (ready < 0 && errno == EINTR) { continue }
            }
            let count = read(readEnd, &buffer, buffer.count)
            if count > 0 {
                output.append(contentsOf: buffer[0..<count])
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        close(readEnd)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if stopped { return .stopped }
        // Exited (no signal) with status 0: the low 7 bits are the signal, the next 8 the code.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else { return .failed }
        return .answer(output)
    }

    /// The child's side: solves the JSON request in `input` with Cbc in this process and
    /// returns the solution as JSON.
    public static func serveSolve(_ input: Data) throws -> Data {
        let request = try decoder.decode(Request.self, from: input)
        let solution = try CbcSolver().solve(request.program, options: request.options)
        return try encoder.encode(solution)
    }
}

extension IsolatedCbcSolver {
    /// The MILP solver to use by default: Cbc in a child process when the `switchyard` program
    /// is at hand, else Cbc in this process.
    public static var preferred: any LinearSolver { besideThisProgram() ?? CbcSolver() }

    /// JSON that carries infinite bounds (as strings).
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
}
