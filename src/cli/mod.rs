//! The command line: parse → call → render. Each command lives in its own file.

mod check;
mod ci;
mod completions;
mod context;
mod debug;
mod doctor;
mod error;
mod files;
mod grade;
mod hint;
mod images;
mod interrupt;
mod lint;
mod list;
mod logs;
mod new;
mod progress;
mod reset;
mod shell;
mod show;
mod start;
mod status;
mod stop;
mod verify;
mod watch;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;

pub use error::{CliError, CliResult};

use crate::exit;
use crate::ui::style::ColorChoice;

/// Labs for teaching container orchestration: provisioned and graded on the real Docker engine.
#[derive(Debug, Parser)]
#[command(
    name = "lab",
    version = env!("LAB_BUILD_VERSION"),
    about,
    long_about = "Labs for teaching container orchestration.\n\n\
        A course is a folder with labs/course.yaml and one markdown file per lab. `lab` shows the \
        labs, provisions their containers through the Docker Engine API, and grades what \
        students build.",
    after_help = "Exit codes: 0 done / all passed, 1 checks failed, 2 invalid input, \
        3 environment (engine, images, ports), 130 interrupted."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Clone, clap::Args)]
pub struct Global {
    /// The course folder (the one holding labs/course.yaml); default: found by walking up
    /// from the current folder.
    #[arg(long, global = true, env = "LAB_COURSE", value_name = "DIR")]
    pub course: Option<PathBuf>,

    /// When to use colour.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Accept labs that ask for privileged containers, host namespaces, the docker socket or
    /// bind mounts outside the lab folder.
    #[arg(long, global = true)]
    pub allow_unsafe: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The course's labs in order, with their tasks, checks and points.
    List(list::Args),
    /// A lab's text, rendered for the terminal.
    Show(show::Args),
    /// Validate the course and its labs (no Docker needed).
    Lint(lint::Args),
    /// Provision a lab's containers, networks and volumes, then show its tasks.
    Start(start::Args),
    /// The services of the running lab: state, health, ports.
    Status(status::Args),
    /// Grade the live environment: every check, with hints for what failed.
    Check(check::Args),
    /// Grade again whenever the environment or your files change, until Ctrl-C.
    Watch(watch::Args),
    /// A service's logs.
    Logs(logs::Args),
    /// An interactive terminal in a service's container.
    Shell(shell::Args),
    /// Remove the lab's containers and networks (named volumes with --volumes).
    Stop(stop::Args),
    /// Stop a lab with its volumes, then start it afresh.
    Reset(reset::Args),
    /// The hints of a lab, or of one of its checks.
    Hint(hint::Args),
    /// The folder of a lab's own files (Dockerfiles, configs), for commands run elsewhere.
    Files(files::Args),
    /// Grade students' submissions on fresh labs, into a gradebook (instructors, CI).
    Grade(grade::Args),
    /// The CI workflow that grades students' repositories (GitHub Classroom, GitLab).
    Ci(ci::Args),
    /// Prove labs are gradable: fresh → checks fail, solved → checks pass, nothing left.
    Verify(verify::Args),
    /// Where you stand: per lab, status, best score, attempts, time spent (export, import, reset).
    Progress(progress::Args),
    /// Every image the course needs: list, pull, save to one archive, load (classrooms
    /// without a registry).
    Images(images::Args),
    /// Scaffold a new lab and its reference solution (for authors).
    New(new::Args),
    /// What is wrong with a container: state, exit, logs, health, networks, reach, limits.
    Debug(debug::Args),
    /// Is this machine ready for the course: engine, images, disk, ports, the progress store.
    Doctor(doctor::Args),
    /// Print a shell completion script.
    Completions(completions::Args),
}

/// Parse the command line and run; the process's exit code comes back.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // Two workers: the grader is I/O bound, and labs run on small machines.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            crate::ui::output::err(&format!("error: could not start the async runtime: {e}\n"));
            return exit::code(exit::ENVIRONMENT);
        }
    };
    let code = runtime.block_on(async {
        let cancel = interrupt::install();
        match run(cli, &cancel).await {
            Ok(code) => code,
            Err(e) => {
                let text = e.to_string();
                if !text.is_empty() {
                    let what = if matches!(e, CliError::Interrupted(_)) {
                        ""
                    } else {
                        "error: "
                    };
                    crate::ui::output::err(&format!("{what}{text}\n"));
                }
                e.exit_code()
            }
        }
    });
    // Whatever is still running on the runtime (a follow of logs, a stdin reader) must not
    // hold the exit.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    exit::code(code)
}

pub async fn run(cli: Cli, cancel: &CancellationToken) -> CliResult {
    let g = &cli.global;
    match cli.command {
        Command::Check(args) => check::run(g, args, cancel).await,
        Command::Watch(args) => watch::run(g, args, cancel).await,
        Command::Start(args) => start::run(g, args, cancel).await,
        Command::Status(args) => status::run(g, args).await,
        Command::Logs(args) => logs::run(g, args, cancel).await,
        Command::Shell(args) => shell::run(g, args, cancel).await,
        Command::Stop(args) => stop::run(g, args).await,
        Command::Reset(args) => reset::run(g, args, cancel).await,
        Command::Verify(args) => verify::run(g, args, cancel).await,
        Command::Grade(args) => grade::run(g, args, cancel).await,
        Command::Ci(args) => ci::run(g, args),
        Command::List(args) => list::run(g, args),
        Command::Show(args) => show::run(g, args),
        Command::Lint(args) => lint::run(g, args),
        Command::Hint(args) => hint::run(g, args).await,
        Command::Files(args) => files::run(g, args),
        Command::New(args) => new::run(g, args),
        Command::Images(args) => images::run(g, args, cancel).await,
        Command::Progress(args) => progress::run(g, args),
        Command::Debug(args) => debug::run(g, args, cancel).await,
        Command::Doctor(args) => doctor::run(g, args, cancel).await,
        Command::Completions(args) => completions::run(args),
    }
}
