"""Look inside the models, measured: backpropagation through time by hand, gradients
through time, long memory, gates, attention and positions (``seqlab explain``)."""
