"""Multi-step dialogs (intake, expectation setting), persisted between turns."""
