//! Undo and redo for an edited value: every edit records the value it replaced.
//! A plain type, tested natively; the editor and the settings page keep their document in one.

/// The value being edited, with what came before it and what an undo took back.
#[derive(Debug, Clone, PartialEq)]
pub struct History<T> {
    past: Vec<T>,
    present: T,
    future: Vec<T>,
    /// How many steps back undo can go; the oldest are forgotten first.
    limit: usize,
}

impl<T: Clone + PartialEq> History<T> {
    pub fn new(present: T, limit: usize) -> History<T> {
        History { past: Vec::new(), present, future: Vec::new(), limit: limit.max(1) }
    }

    pub fn present(&self) -> &T {
        &self.present
    }

    /// Makes `next` the present. An edit that changes nothing is not recorded; any edit clears redo.
    pub fn record(&mut self, next: T) {
        if next == self.present {
            return;
        }
        self.past.push(std::mem::replace(&mut self.present, next));
        if self.past.len() > self.limit {
            self.past.remove(0);
        }
        self.future.clear();
    }

    /// Applies `edit` to a copy of the present and records the result if it succeeded.
    pub fn edit<E>(&mut self, edit: impl FnOnce(&mut T) -> Result<(), E>) -> Result<(), E> {
        let mut next = self.present.clone();
        edit(&mut next)?;
        self.record(next);
        Ok(())
    }

    pub fn can_undo(&self) -> bool {
        !self.past.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.future.is_empty()
    }

    /// Steps back one edit; `false` if there is none.
    pub fn undo(&mut self) -> bool {
        let Some(previous) = self.past.pop() else { return false };
        self.future.push(std::mem::replace(&mut self.present, previous));
        true
    }

    /// Steps forward again after an undo; `false` if there is nothing to redo.
    pub fn redo(&mut self) -> bool {
        let Some(next) = self.future.pop() else { return false };
        self.past.push(std::mem::replace(&mut self.present, next));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::History;

    #[test]
    fn undo_and_redo_walk_the_edits_and_a_new_edit_clears_redo() {
        let mut history = History::new("a".to_owned(), 10);
        history.record("b".to_owned());
        history.record("c".to_owned());
        assert!(history.undo());
        assert_eq!(history.present(), "b");
        assert!(history.undo());
        assert_eq!(history.present(), "a");
        assert!(!history.undo(), "nothing before the first value");
        assert!(history.redo());
        assert_eq!(history.present(), "b");
        history.record("d".to_owned());
        assert!(!history.can_redo(), "a new edit forgets what was undone");
        assert!(history.undo());
        assert_eq!(history.present(), "b");
    }

    #[test]
    fn unchanged_and_failed_edits_are_not_recorded_and_old_steps_are_forgotten() {
        let mut history = History::new(0, 2);
        history.record(0);
        assert!(!history.can_undo());
        assert_eq!(history.edit(|value| if *value > 5 { Ok(()) } else { Err("too small") }), Err("too small"));
        assert!(!history.can_undo());
        for value in 1..=3 {
            history
                .edit::<()>(|present| {
                    *present = value;
                    Ok(())
                })
                .expect("edits");
        }
        assert!(history.undo() && history.undo());
        assert_eq!(*history.present(), 1, "only the last two edits can be undone");
        assert!(!history.undo());
    }
}
