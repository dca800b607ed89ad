//! midir ports: found by name pattern, re-scanned, reconnected.
