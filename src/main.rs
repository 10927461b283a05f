//! The `plainsight` binary: parse arguments, run, map the outcome to an exit code
//! (0 no findings, 1 findings, 2 error).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(e) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("plainsight: error: {e:#}");
            }
            ExitCode::from(2)
        }
    }
}
