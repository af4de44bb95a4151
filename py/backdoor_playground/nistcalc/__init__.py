"""NN Calculator's own buttons: data and model memories, inference / inefficiency / sensitivity, its CSV files,
trojans."""
