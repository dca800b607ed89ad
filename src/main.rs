fn main() -> std::process::ExitCode {
    mixbridge::cli::main()
}
