"""The micro-quiz: three questions after a session (or any other origin, through
``bot.quiz.start.start_quiz``), answered with buttons, and owners' own questions."""
