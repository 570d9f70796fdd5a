//! A plugin's configured state, shared by its calls.

use std::sync::{Arc, Mutex};

/// What `configure` set up (rules, options), built from defaults on first use
/// when `configure` never ran. Declare one as a `static`:
///
/// ```ignore
/// static ACTIVE: Active<Rules> = Active::new();
/// let rules = ACTIVE.get_or(Rules::default);
/// ```
pub struct Active<T> {
    slot: Mutex<Option<Arc<T>>>,
}

impl<T> Active<T> {
    /// An empty slot.
    pub const fn new() -> Self {
        Active { slot: Mutex::new(None) }
    }

    /// The current value, built with `init` if none was set.
    pub fn get_or(&self, init: impl FnOnce() -> T) -> Arc<T> {
        let mut guard = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(guard.get_or_insert_with(|| Arc::new(init())))
    }

    /// The current value, built with the fallible `init` if none was set.
    pub fn try_get_or<E>(&self, init: impl FnOnce() -> Result<T, E>) -> Result<Arc<T>, E> {
        let mut guard = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(value) = guard.as_ref() {
            return Ok(Arc::clone(value));
        }
        let value = Arc::new(init()?);
        *guard = Some(Arc::clone(&value));
        Ok(value)
    }

    /// Replace the value (from `configure`).
    pub fn set(&self, value: T) {
        *self.slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(value));
    }
}

impl<T> Default for Active<T> {
    fn default() -> Self {
        Active::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_until_set() {
        static SLOT: Active<u32> = Active::new();
        assert_eq!(*SLOT.get_or(|| 1), 1);
        assert_eq!(*SLOT.get_or(|| 2), 1, "built once");
        SLOT.set(3);
        assert_eq!(*SLOT.get_or(|| 4), 3);
    }
}
