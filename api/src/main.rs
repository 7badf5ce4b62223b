//! `meeteasy`: one binary, several roles (`dev`, `api`, `worker`, `token`),
//! and the parser sandbox's child (`__sandbox`, started by the workers).

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    // The sandbox child needs no runtime, no config and no logging: it must
    // limit itself before doing anything else.
    if args.get(1).map(String::as_str) == Some(meeteasy_jobs::sandbox::CHILD_ARG) {
        return std::process::ExitCode::from(meeteasy_jobs::sandbox::child_main(&args[2..]));
    }
    let cli = meeteasy_api::cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("meeteasy: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(meeteasy_api::cli::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("meeteasy: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
