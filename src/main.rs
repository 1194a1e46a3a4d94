//! The `netaccept` binary: everything lives in the library; see [`netaccept::cli`].

/// mimalloc rather than glibc's allocator: a run allocates and frees small objects (probe
/// states, measurements, records) by the hundred thousand across threads; profiling 10,000
/// HTTP health checks (bench/run's HTTP set) put glibc's malloc and free at 14 % of the
/// samples, with waits on its arena locks besides.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    netaccept::cli::main().into()
}
