//! The `netaccept` binary: everything lives in the library; see [`netaccept::cli`].

/// mimalloc rather than glibc's allocator: a run allocates and frees small objects (probe
/// states, measurements, records) by the hundred thousand across threads, where glibc spent
/// a fifth of the CPU in malloc and free. Measured on 10,000 HTTP health checks (bench/run's
/// HTTP set): 1.70 s with glibc, 1.25 s with mimalloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    netaccept::cli::main().into()
}
