//! The progress bar on stderr (only when it is a terminal).

use bosun::{Progress, ProgressEvent};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Bar {
    bar: Option<ProgressBar>,
}

impl Bar {
    pub fn new(visible: bool) -> Self {
        let bar = visible.then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {prefix} layer {pos}/{len} {wide_msg}")
                    .expect("the template is valid"),
            );
            bar
        });
        Bar { bar }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Bar {
    fn event(&self, event: ProgressEvent) {
        let Some(bar) = &self.bar else { return };
        match event {
            ProgressEvent::PluginsLoaded { count } => bar.set_message(format!("{count} plugins loaded")),
            ProgressEvent::ImageStarted { label, layers, .. } => {
                bar.set_prefix(bosun::report::escape(&label));
                bar.set_length(layers as u64);
                bar.set_position(0);
            }
            ProgressEvent::LayerStarted { index } => bar.set_position(index as u64 + 1),
            ProgressEvent::LayerBytes { bytes } => bar.set_message(format!("{} MiB read", bytes >> 20)),
            ProgressEvent::Files { count } => bar.set_message(format!("{count} files")),
            ProgressEvent::ImageFinished => bar.set_message("done"),
        }
        bar.tick();
    }
}
