//! A map from ids to values, kept as one sorted `Vec`.
//!
//! The incident store's maps hold tens of entries. `BTreeMap` was 30 KB of the first screen's wasm
//! (its node code instantiated once per value type); a sorted vector with binary search does the
//! same for these sizes in a fraction of that.

/// Values by `i64` id, iterated in id order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdMap<V> {
    entries: Vec<(i64, V)>,
}

impl<V> Default for IdMap<V> {
    fn default() -> Self {
        IdMap {
            entries: Vec::new(),
        }
    }
}

impl<V> IdMap<V> {
    fn find(&self, id: i64) -> Result<usize, usize> {
        self.entries.binary_search_by_key(&id, |(k, _)| *k)
    }

    pub fn get(&self, id: i64) -> Option<&V> {
        self.find(id).ok().map(|at| &self.entries[at].1)
    }

    pub fn get_mut(&mut self, id: i64) -> Option<&mut V> {
        self.find(id).ok().map(|at| &mut self.entries[at].1)
    }

    pub fn contains(&self, id: i64) -> bool {
        self.find(id).is_ok()
    }

    /// Sets `id`'s value, replacing any held.
    pub fn insert(&mut self, id: i64, value: V) {
        match self.find(id) {
            Ok(at) => self.entries[at].1 = value,
            Err(at) => self.entries.insert(at, (id, value)),
        }
    }

    pub fn remove(&mut self, id: i64) -> Option<V> {
        self.find(id).ok().map(|at| self.entries.remove(at).1)
    }

    /// `id`'s value, first inserting `V::default()` when there is none.
    pub fn get_or_default(&mut self, id: i64) -> &mut V
    where
        V: Default,
    {
        let at = match self.find(id) {
            Ok(at) => at,
            Err(at) => {
                self.entries.insert(at, (id, V::default()));
                at
            }
        };
        &mut self.entries[at].1
    }

    pub fn retain(&mut self, mut keep: impl FnMut(i64, &V) -> bool) {
        self.entries.retain(|(id, v)| keep(*id, v));
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.iter().map(|(_, v)| v)
    }
}

impl<V> FromIterator<(i64, V)> for IdMap<V> {
    /// The last value wins for a repeated id, as with a `BTreeMap`.
    fn from_iter<I: IntoIterator<Item = (i64, V)>>(iter: I) -> Self {
        let mut map = IdMap::default();
        for (id, value) in iter {
            map.insert(id, value);
        }
        map
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_an_ordered_map() {
        let mut map: IdMap<&str> = [(5, "e"), (1, "a"), (3, "c"), (1, "A")]
            .into_iter()
            .collect();
        assert_eq!(map.values().copied().collect::<Vec<_>>(), ["A", "c", "e"]);
        assert_eq!(map.get(1), Some(&"A"));
        assert_eq!(map.get(2), None);
        map.insert(2, "b");
        assert_eq!(
            map.values().copied().collect::<Vec<_>>(),
            ["A", "b", "c", "e"]
        );
        assert_eq!(map.remove(3), Some("c"));
        assert_eq!(map.remove(3), None);
        map.retain(|id, _| id != 5);
        assert_eq!(map.values().copied().collect::<Vec<_>>(), ["A", "b"]);
        *map.get_mut(2).unwrap() = "B";
        assert!(map.contains(2) && !map.contains(5));
        assert_eq!(map.get(2), Some(&"B"));
        let mut lists: IdMap<Vec<u8>> = IdMap::default();
        lists.get_or_default(4).push(1);
        lists.get_or_default(4).push(2);
        assert_eq!(lists.get(4), Some(&vec![1, 2]));
    }
}
