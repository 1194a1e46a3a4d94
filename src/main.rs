//! The `netaccept` binary: everything lives in the library; see [`netaccept::cli`].

/// mimalloc rather than glibc's allocator: a run allocates and frees small objects (probe
/// states, measurements, records) by the hundred thousand across threads, where glibc spent
/// a fifth of the CPU in malloc and free and grew per-thread arenas. Measured on the national
/// acceptance run (18,658 checks): 3.3 s and 160 MiB with glibc, 3.1 s and 125 MiB with
/// mimalloc as tuned in `main`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

// mimalloc's option numbers (`mi_option_e` in mimalloc.h, the same in its v2 and v3); the
// sys crate names only some of them.
const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> std::process::ExitCode {
    // Freed memory goes back to the system at once and arenas are committed as they are
    // used: without this mimalloc kept 50 MiB more at the national run's peak, for 0.2 s.
    // SAFETY: mi_option_set is not thread-safe; this runs first, on the only thread.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
    }
    netaccept::cli::main().into()
}
