"""The rules of DESIGN §4: periods, what is due, progress, roll-up, ranking — pure, no I/O."""
