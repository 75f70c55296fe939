"""Engine: probabilities, explanations, next question, stopping (pure, no I/O)."""

from hipnerve.engine.inference import ConditionScore, Contribution, rank, score
from hipnerve.engine.model import Choice, Model, Patient, Sex, compile_model, default_model
from hipnerve.engine.questions import NextQuestion, QuestionUnit, choose_next, question_units

__all__ = [
    "Choice",
    "ConditionScore",
    "Contribution",
    "Model",
    "NextQuestion",
    "Patient",
    "QuestionUnit",
    "Sex",
    "choose_next",
    "compile_model",
    "default_model",
    "question_units",
    "rank",
    "score",
]
