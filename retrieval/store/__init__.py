"""Where articles, vectors and the lexical index live; `base`: what search and answer choice read (`Passages`)."""
