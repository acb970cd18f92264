import CofferCLI
import Foundation

// `coffer server ...` runs the server; everything else is the vault-shaped CLI.
let arguments = Array(CommandLine.arguments.dropFirst())
let status: Int32
if arguments.first == "server" {
    status = await ServerCommand.run(Array(arguments.dropFirst()))
} else {
    status = await runCofferCLI(arguments: arguments)
}
exit(status)
