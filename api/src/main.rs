//! `meeteasy`: one binary, several roles (`dev`, `api`, `worker`, `token`).

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = meeteasy_api::cli::Cli::parse();
    match meeteasy_api::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("meeteasy: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
