//! The arguments resolved once into what the engine takes, in the manner of ripgrep's
//! high-level arguments: every default decided and every flag turned into the pipeline's
//! own types here, so nothing downstream looks at a flag again.

use super::args::{
    DetailsArg, KindArg, LangArg, LevelArg, MergeArgs, PlannedArgs, ReportArgs, ReportingArgs,
    RunArgs, SelectionArgs, SeverityArg, SplitArg, ValidateArgs, WhichArg,
};
use crate::engine::{
    MergeRequest, PlanRequest, ProgressMode, Reporting, Rerender, RunConfig, Terminal,
};
use crate::load::Inputs;
use crate::model::{Kind, Level, Severity};
use crate::plan::{MissingEnv, Overrides, Selection};
use crate::report::Lang;
use crate::report::html::{Details, Split};
use crate::run::Limits;
use crate::schema::Which;

impl ValidateArgs {
    pub fn request(&self) -> PlanRequest {
        PlanRequest {
            inputs: Inputs {
                inventory: self.input.inventory.clone(),
                suite: self.suite.clone(),
                waivers: self.waivers.clone(),
                faults: self.faults.clone(),
            },
            selection: Selection::default(),
            missing_env: MissingEnv::Warn,
            overrides: Overrides::default(),
        }
    }
}

impl PlannedArgs {
    /// What `plan` and `run` both load and plan.
    pub fn request(&self, missing_env: MissingEnv) -> PlanRequest {
        PlanRequest {
            inputs: Inputs {
                inventory: self.input.inventory.clone(),
                suite: Some(self.suite.clone()),
                waivers: None,
                faults: None,
            },
            selection: self.selection.resolve(),
            missing_env,
            overrides: Overrides::default(),
        }
    }
}

impl RunArgs {
    pub fn request(&self) -> PlanRequest {
        let mut req = self.planned.request(MissingEnv::Error);
        req.inputs.waivers.clone_from(&self.waivers);
        req.overrides = Overrides {
            timeout: self.timeout.map(crate::model::Duration::as_std),
            retries: self.retries,
        };
        req
    }

    pub fn config(&self) -> RunConfig {
        RunConfig {
            output: self.output.clone(),
            limits: Limits {
                concurrency: self.limits.concurrency as usize,
                per_node: self.limits.per_node as usize,
                icmp_concurrency: self.limits.icmp_concurrency as usize,
                icmp_rate: self.limits.icmp_rate as usize,
                ..Limits::default()
            },
            icmp_interval: self.limits.icmp_interval.as_std(),
            reuse_connections: self.limits.reuse_connections,
            selection: self.planned.selection.describe(),
            operator: self.reporting.operator.clone().unwrap_or_default(),
            progress: progress_mode(),
            terminal: self.reporting.terminal(),
            reporting: self.reporting.resolve(),
            vantage: self.planned.selection.vantage.clone(),
            shard: self.planned.selection.shard,
        }
    }
}

impl ReportArgs {
    pub fn request(&self) -> Rerender {
        Rerender {
            results: self.results.clone(),
            output: self.output.clone(),
            waivers: self.waivers.clone(),
            operator: self.reporting.operator.clone(),
        }
    }
}

impl MergeArgs {
    /// The inputs the bundles were run with, planned whole (a merge covers the whole plan).
    pub fn request(&self) -> PlanRequest {
        PlanRequest {
            inputs: Inputs {
                inventory: self.input.inventory.clone(),
                suite: Some(self.suite.clone()),
                waivers: self.waivers.clone(),
                faults: None,
            },
            selection: Selection::default(),
            // The bundles filled the templates; the centre need not hold the secrets.
            missing_env: MissingEnv::Warn,
            overrides: Overrides::default(),
        }
    }

    pub fn merge(&self) -> MergeRequest {
        MergeRequest {
            bundles: self.bundles.clone(),
            output: self.output.clone(),
            keys: self.keys.clone(),
            allow_unsigned: self.allow_unsigned,
            operator: self.reporting.operator.clone().unwrap_or_default(),
        }
    }
}

impl ReportingArgs {
    pub fn resolve(&self) -> Reporting {
        Reporting {
            // The reports are Chinese unless asked otherwise, as they always were: they are
            // the acceptance document; only the terminal follows the locale.
            lang: self.lang.map_or(Lang::Zh, Into::into),
            fail_on: match self.fail_on {
                SeverityArg::Critical => Severity::Critical,
                SeverityArg::Major => Severity::Major,
                SeverityArg::Minor => Severity::Minor,
            },
            details: match self.details {
                DetailsArg::All => Details::All,
                DetailsArg::Failures => Details::Failures,
            },
            split: match self.split {
                None => Split::None,
                Some(SplitArg::Provincial) => Split::Provincial,
            },
        }
    }
}

impl ReportingArgs {
    /// The terminal's language: `--lang` (or `NETACCEPT_LANG`), else the locale's.
    pub fn terminal_lang(&self) -> Lang {
        self.lang
            .map_or_else(super::output::locale_lang, Into::into)
    }

    /// The progress's language and colour (on stderr).
    pub fn terminal(&self) -> Terminal {
        Terminal {
            lang: self.terminal_lang(),
            color: super::output::get().colour.stderr,
        }
    }
}

/// How the progress is shown: nothing under `-q`; lines when logs are on (a bar redrawn
/// in place would be torn by them) or stderr is no terminal; else a bar.
pub fn progress_mode() -> ProgressMode {
    let out = super::output::get();
    if out.quiet {
        ProgressMode::Off
    } else if out.logging {
        ProgressMode::Lines
    } else {
        ProgressMode::for_stderr()
    }
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Zh => Lang::Zh,
            LangArg::En => Lang::En,
        }
    }
}

impl From<WhichArg> for Which {
    fn from(w: WhichArg) -> Which {
        match w {
            WhichArg::Inventory => Which::Inventory,
            WhichArg::Suite => Which::Suite,
            WhichArg::Waivers => Which::Waivers,
            WhichArg::Faults => Which::Faults,
            WhichArg::Summary => Which::Summary,
        }
    }
}

impl SelectionArgs {
    /// The flags as a user would type them again, for the reports' header.
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        let value = |v: &dyn std::fmt::Debug| format!("{v:?}").to_lowercase();
        out.extend(self.nodes.iter().map(|x| format!("--node {x}")));
        out.extend(self.levels.iter().map(|x| format!("--level {}", value(x))));
        out.extend(self.kinds.iter().map(|x| format!("--kind {}", value(x))));
        out.extend(self.tags.iter().map(|x| format!("--tag {x}")));
        out.extend(self.apps.iter().map(|x| format!("--app {x}")));
        out.extend(self.checks.iter().map(|x| format!("--check {x}")));
        out.extend(self.vantage.iter().map(|x| format!("--vantage {x}")));
        out.extend(self.shard.iter().map(|x| format!("--shard {x}")));
        out
    }

    pub fn resolve(&self) -> Selection {
        Selection {
            nodes: self.nodes.clone(),
            levels: self
                .levels
                .iter()
                .map(|l| match l {
                    LevelArg::National => Level::National,
                    LevelArg::Provincial => Level::Provincial,
                    LevelArg::Prefectural => Level::Prefectural,
                    LevelArg::County => Level::County,
                    LevelArg::Township => Level::Township,
                })
                .collect(),
            kinds: self
                .kinds
                .iter()
                .map(|k| match k {
                    KindArg::Safety => Kind::Safety,
                    KindArg::Coal => Kind::Coal,
                })
                .collect(),
            tags: self.tags.clone(),
            apps: self.apps.clone(),
            checks: self.checks.clone(),
            vantage: self.vantage.clone(),
            shard: self.shard,
        }
    }
}
