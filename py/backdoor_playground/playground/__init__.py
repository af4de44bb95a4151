"""The playground (TensorFlow Playground in numpy): URL state, data sets, features, the network, training, pictures."""
