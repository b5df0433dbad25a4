//! Progress on stderr for steps that take more than a moment: an indicatif
//! spinner on a terminal, nothing when stderr is a file or a pipe.

use indicatif::{ProgressBar, ProgressStyle};
use std::time::Duration;

/// One running step.
pub struct Step {
    bar: ProgressBar,
}

impl Step {
    /// Starts a spinner with `message` (hidden when stderr is not a terminal).
    pub fn start(message: &str) -> Step {
        // ProgressBar draws to stderr and hides itself when stderr is not a terminal.
        let bar = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(message.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        Step { bar }
    }

    /// Replaces the message.
    pub fn say(&self, message: &str) {
        self.bar.set_message(message.to_string());
    }

    /// Clears the spinner.
    pub fn finish(self) {
        self.bar.finish_and_clear();
    }
}
