"""Session guides: for each topic and each stage of a tandem (first meeting, middle, last), a
goal, three opening questions, an exercise, what to prepare and resources, for the mentor; a
lighter "come with a real case" note for the mentee. Defaults ship under
``prompts/<locale>/guides/``; owners import their own per program (``tandem guides import``)."""
