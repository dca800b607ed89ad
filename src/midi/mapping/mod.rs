//! Generic MIDI surfaces: YAML mapping files and the router that applies them.
