//! Random edits of a text file, as a hand edit or a bad merge leaves it:
//! bytes replaced, lines dropped or duplicated, the end cut off.

use proptest::prelude::*;

#[derive(Debug, Clone)]
pub enum Edit {
    Replace(usize, u8),
    DropLine(usize),
    DupLine(usize),
    Truncate(usize),
}

pub fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Replace(i, b)),
        any::<usize>().prop_map(Edit::DropLine),
        any::<usize>().prop_map(Edit::DupLine),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

pub fn apply(text: &str, edits: &[Edit]) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = text.lines().map(|l| l.as_bytes().to_vec()).collect();
    for e in edits {
        let n = lines.len().max(1);
        match *e {
            Edit::Replace(i, b) => {
                let l = &mut lines[i % n];
                if !l.is_empty() {
                    let k = (i / n) % l.len();
                    l[k] = b;
                }
            }
            Edit::DropLine(i) if lines.len() > 1 => {
                lines.remove(i % n);
            }
            Edit::DupLine(i) => {
                let l = lines[i % n].clone();
                lines.insert(i % n, l);
            }
            Edit::Truncate(i) => lines.truncate(1 + i % n),
            _ => {}
        }
    }
    lines.join(&b'\n')
}
