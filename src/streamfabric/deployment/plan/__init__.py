"""Planning, pure: (model, what was observed) -> a :class:`.instructions.Plan` of frozen
instructions in phases, which tests compare whole. :mod:`.deploy` assembles a deploy's phases from
:mod:`.stacks` (change sets), :mod:`.flows` (the post-steps), :mod:`.retire` (flows leaving, and the
clean-up); :mod:`.destroy` plans a destroy; :mod:`.guard` judges a plan against what is on air
(:mod:`.on_air`). Nothing here imports the AWS gateway or the executor."""
