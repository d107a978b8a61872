"""maxrec's trainer: NeuMF on any interactions file, with honest metrics."""
