//! Integration tests: the real `bosun` binary on fixture images built by
//! `fixtures/build.py` and on the real images in `../shared/data/images`.

mod util;

mod cache;
mod cli;
mod hostile_images;
mod hostile_plugins;
mod image_lint;
mod inventory;
mod malware;
mod real_images;
mod reports;
mod sdk_example;
mod secrets;
mod sources;
