"""The embedded AWS sandbox: moto's server plus streamfabric's MediaConnect extension for it."""
