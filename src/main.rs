//! The `netaccept` binary: everything lives in the library; see [`netaccept::cli`].

fn main() -> std::process::ExitCode {
    netaccept::cli::main().into()
}
