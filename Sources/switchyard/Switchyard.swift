import ArgumentParser
import Foundation
import Planner
import SwitchyardCatalog
import SwitchyardModel

/// The `switchyard` command: thin commands over the libraries.
@main
struct Switchyard: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "switchyard",
        abstract: "Plan, place and re-plan a fleet of leased GPUs and owned TPUs across many suppliers.",
        discussion: """
            Start with the example:
              switchyard validate examples/frontier-lab.yaml
              switchyard plan examples/frontier-lab.yaml
              switchyard catalog accelerators

            Exit codes:
              0   success
              1   the input has problems (each is printed with its path)
              2   a file could not be read or written
              3   the solver failed
              64  the command line is wrong (see --help)
            """,
        version: version,
        subcommands: [
            Validate.self, PlanCommand.self, ReplanCommand.self, RiskCommand.self, ScheduleCommand.self,
            SimulateCommand.self,
            ExportCommand.self, GenerateTrace.self, Catalog.self,
            Generate.self,
            ImportOffers.self, Serve.self, Worker.self, Backup.self, Restore.self, TokenCommand.self, SolveMILP.self,
        ]
    )
}

/// How the CLI ends: every error a user can cause, rendered in one place with one exit code each.
enum CLIFailure: Error {
    /// Input with problems; exit 1.
    case invalid(InputError)
    /// Several files with problems (`validate`); exit 1, or 2 when one could not be read.
    case invalidFiles([InputError], unreadable: Bool)
    /// A file that cannot be read or written; exit 2.
    case io(String)
    /// The solver could not produce an answer; exit 3.
    case solver(String)
}

extension Switchyard {
    /// Parses the command line and runs the command; any error a command throws is rendered here,
    /// once, as one message on stderr and the documented exit code (as swift-argument-parser's
    /// own `exit(withError:)` does for command-line mistakes).
    static func main() async {
        if let mistake = unknownSubcommand(in: Array(CommandLine.arguments.dropFirst())) {
            writeError("Error: " + mistake)
            exit(withError: ExitCode(64))
        }
        let command: ParsableCommand
        do {
            command = try await asyncParseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                var synchronous = command
                try synchronous.run()
            }
        } catch {
            exit(withError: rendered(error))
        }
    }

    /// Writes what `error` means on stderr and gives the error that carries its exit code.
    /// ArgumentParser's own outcomes (help, usage mistakes, explicit exit codes) pass through.
    static func rendered(_ error: Error) -> Error {
        switch error {
        case is ExitCode, is CleanExit, is ValidationError:
            return error
        case _ where String(reflecting: type(of: error)).hasPrefix("ArgumentParser."):
            // Its internal outcomes (`--help` on a command group runs a built-in command that
            // throws its request) are its own to render.
            return error
        case let failure as CLIFailure:
            return render(failure)
        case let error as InputError:
            return render(.invalid(error))
        case let error as PlannerError:
            switch error {
            case .solver(let message): return render(.solver(message))
            case .input(var problems):
                problems.source = problems.source ?? "plan"
                return render(.invalid(problems))
            }
        default:
            return render(.io("\(error)"))
        }
    }

    private static func render(_ failure: CLIFailure) -> ExitCode {
        switch failure {
        case .invalid(let error):
            let count = error.diagnostics.count
            writeError(error.description)
            writeError("\(count) problem\(count == 1 ? "" : "s") found" + (error.source.map { " in \($0)" } ?? ""))
            return ExitCode(1)
        case .invalidFiles(let errors, let unreadable):
            for error in errors {
                let count = error.diagnostics.count
                writeError(error.description)
                writeError("\(error.source ?? "input"): \(count) problem\(count == 1 ? "" : "s")")
            }
            return ExitCode(unreadable ? 2 : 1)
        case .io(let message):
            writeError("error: \(message)")
            return ExitCode(2)
        case .solver(let message):
            writeError("solver error: \(message)")
            return ExitCode(3)
        }
    }
}

/// Writes one line to standard error.
func writeError(_ text: String) {
    FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}

/// Writes `text` to `path` atomically, or to stdout when `path` is nil.
func emit(_ text: String, to path: String?) throws {
    guard let path else {
        print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
        return
    }
    do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw CLIFailure.io(
            "cannot write \(path): \(ScenarioFile.readFailure((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent))"
        )
    }
}

/// Loads a scenario file or fails with every problem in it (exit 1), or as a file that cannot
/// be read (exit 2).
func loadScenario(_ path: String) throws -> Scenario {
    try requireReadable(path)
    return try ScenarioFile.load(path: path)
}

/// Fails as a file that cannot be read (exit 2) unless `path` is a readable file.
func requireReadable(_ path: String) throws {
    guard !isReadableFile(path) else { return }
    throw CLIFailure.io("\(path): \(ScenarioFile.readFailure(path))")
}

/// Whether `path` names a file (not a directory) this process can read.
func isReadableFile(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
        && FileManager.default.isReadableFile(atPath: path)
}

/// A word on the command line where a subcommand belongs that names none: the message, with
/// the closest subcommand when one is near enough to be a typo (`plna`, `catalog accelerator`).
/// Nil when the words name commands all the way (or stop at an option, or at `help`).
func unknownSubcommand(in arguments: [String]) -> String? {
    var command: ParsableCommand.Type = Switchyard.self
    var path = [Switchyard._commandName]
    for word in arguments {
        let configuration = command.configuration
        let subcommands = configuration.subcommands
        guard !subcommands.isEmpty, configuration.defaultSubcommand == nil, !word.hasPrefix("-"), word != "help"
        else { return nil }
        let names = subcommands.flatMap { [$0._commandName] + $0.configuration.aliases }
        guard let next = subcommands.first(where: { ([$0._commandName] + $0.configuration.aliases).contains(word) })
        else {
            let at = path.joined(separator: " ")
            var message = "'\(word)' is not a \(at) command"
            if let guess = closestMatch(to: word, in: names) { message += "; did you mean '\(at) \(guess)'?" }
            return message + "\nSee '\(at) --help' for the commands."
        }
        command = next
        path.append(next._commandName)
    }
    return nil
}
