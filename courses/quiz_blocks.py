"""Quiz blocks: questions whose every choice teaches.

Questions are children of a StreamBlock and choices items of a ListBlock, so
each has a block id that Wagtail keeps across edits; learner answers key on
those ids. True/false questions have the fixed choice ids "true" and "false".
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

TRUE_ID = "true"
FALSE_ID = "false"

TRUE_FALSE_PREVIEW = {
    "statement": "En chattbot vet alltid när den har fel.",
    "answer": False,
    "feedback_true": "Nej. Den kan låta lika säker när den har fel.",
    "feedback_false": "Rätt. Den märker inte själv när den hittar på.",
    "explanation": "Kontrollera viktiga svar i en annan källa.",
}

SINGLE_CHOICE_PREVIEW = {
    "question": "Vad gör en språkmodell när den svarar dig?",
    "choices": [
        {
            "text": "Den räknar ut vilka ord som troligen kommer härnäst.",
            "correct": True,
            "feedback": "Ja. Den bygger svaret ord för ord utifrån mönster i text.",
        },
        {
            "text": "Den slår upp svaret i en databas med fakta.",
            "correct": False,
            "feedback": "Nej. Den har ingen faktabank att slå i, den gissar ord.",
        },
    ],
    "explanation": "En språkmodell förutsäger text. Därför kan svaren låta säkra men vara fel.",
}


class QuizChoice:
    """One answer option as the grading service and templates see it."""

    __slots__ = ("id", "text", "correct", "feedback")

    def __init__(self, id: str, text: str, correct: bool, feedback: str):
        self.id = id
        self.text = text
        self.correct = correct
        self.feedback = feedback


class QuestionStructValue(blocks.StructValue):
    """Uniform access to a question's choices, whatever its type."""

    def options(self) -> list[QuizChoice]:
        """The choices as QuizChoice objects (`choices` is the raw field)."""
        return self.block.choices_for(self)

    def prompt(self) -> str:
        return self.get("question") or self.get("statement") or ""


class AnswerChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Answer"), max_length=300)
    correct = blocks.BooleanBlock(label=_("Correct answer"), required=False)
    feedback = blocks.TextBlock(
        label=_("Feedback"),
        help_text=_("Shown when the learner picks this answer. Explain why it is right or wrong."),
    )

    class Meta:
        icon = "radio-full"
        label = _("Choice")


class ChoiceQuestionBlock(blocks.StructBlock):
    question = blocks.TextBlock(label=_("Question"), rows=2)
    choices = blocks.ListBlock(AnswerChoiceBlock(), min_num=2, max_num=8, label=_("Choices"))
    explanation = blocks.TextBlock(
        label=_("Explanation"),
        help_text=_("Shown after answering: why the right answer is right."),
    )

    class Meta:
        value_class = QuestionStructValue

    input_type = "radio"

    def choices_for(self, value) -> list[QuizChoice]:
        return [
            QuizChoice(
                str(bound.id), bound.value["text"], bound.value["correct"], bound.value["feedback"]
            )
            for bound in value["choices"].bound_blocks
        ]

    def correct_count_error(self, correct: int) -> str | None:
        raise NotImplementedError

    def clean(self, value):
        value = super().clean(value)
        correct = sum(1 for choice in value["choices"] if choice["correct"])
        message = self.correct_count_error(correct)
        if message:
            raise StructBlockValidationError(
                block_errors={
                    "choices": blocks.ListBlockValidationError(non_block_errors=[message])
                }
            )
        return value

    def get_api_representation(self, value, context=None):
        # Never publish the answer key: only the question and the choices' ids and texts.
        return {
            "question": value["question"],
            "choices": [{"id": c.id, "text": c.text} for c in self.choices_for(value)],
        }


class SingleChoiceQuestionBlock(ChoiceQuestionBlock):
    def correct_count_error(self, correct: int) -> str | None:
        if correct != 1:
            return _("A single-choice question needs exactly one correct answer.")
        return None

    class Meta:
        icon = "radio-full"
        label = _("Single choice")
        description = _("The learner picks one answer. Exactly one is correct.")
        preview_value = SINGLE_CHOICE_PREVIEW


class MultipleChoiceQuestionBlock(ChoiceQuestionBlock):
    input_type = "checkbox"

    def correct_count_error(self, correct: int) -> str | None:
        if correct < 1:
            return _("A multiple-choice question needs at least one correct answer.")
        return None

    class Meta:
        icon = "tick-inverse"
        label = _("Multiple choice")
        description = _("The learner picks all answers that apply. One or more are correct.")
        preview_value = {
            "question": "Vilka uppgifter ska du inte skriva i en chattbot? Välj alla som stämmer.",
            "choices": [
                {
                    "text": "Ditt personnummer",
                    "correct": True,
                    "feedback": "Rätt. Det kan sparas och användas på sätt du inte ser.",
                },
                {
                    "text": "En fråga om recept",
                    "correct": False,
                    "feedback": "Det går bra. Ett recept säger inget känsligt om dig.",
                },
            ],
            "explanation": "Håll personuppgifter borta från chattbotar.",
        }


class TrueFalseQuestionBlock(blocks.StructBlock):
    statement = blocks.TextBlock(label=_("Statement"), rows=2)
    answer = blocks.BooleanBlock(
        label=_("The statement is true"),
        required=False,
        help_text=_("Tick if the statement is true; leave empty if it is false."),
    )
    feedback_true = blocks.TextBlock(label=_("Feedback for “True”"))
    feedback_false = blocks.TextBlock(label=_("Feedback for “False”"))
    explanation = blocks.TextBlock(label=_("Explanation"))

    input_type = "radio"

    class Meta:
        icon = "help"
        label = _("True or false")
        description = _("The learner decides whether a statement is true.")
        value_class = QuestionStructValue
        preview_value = TRUE_FALSE_PREVIEW

    def choices_for(self, value) -> list[QuizChoice]:
        return [
            QuizChoice(TRUE_ID, str(_("True")), bool(value["answer"]), value["feedback_true"]),
            QuizChoice(FALSE_ID, str(_("False")), not value["answer"], value["feedback_false"]),
        ]

    def get_api_representation(self, value, context=None):
        return {
            "statement": value["statement"],
            "choices": [{"id": c.id, "text": c.text} for c in self.choices_for(value)],
        }


class QuizQuestionsBlock(blocks.StreamBlock):
    single_choice = SingleChoiceQuestionBlock()
    multiple_choice = MultipleChoiceQuestionBlock()
    true_false = TrueFalseQuestionBlock()

    class Meta:
        min_num = 1
        max_num = 12


class QuizBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), default=_("Test yourself"), max_length=120)
    intro = blocks.TextBlock(label=_("Introduction"), required=False, rows=2)
    questions = QuizQuestionsBlock(label=_("Questions"))

    class Meta:
        icon = "tasks"
        label = _("Quiz")
        description = _(
            "Questions the learner answers; the server grades them and shows feedback."
        )
        template = "courses/blocks/quiz.html"
        preview_value = {
            "title": "Testa dig själv",
            "questions": [
                ("true_false", TRUE_FALSE_PREVIEW),
                ("single_choice", SINGLE_CHOICE_PREVIEW),
            ],
        }

    def get_api_representation(self, value, context=None):
        return {
            "title": value["title"],
            "intro": value["intro"],
            "questions": [
                {
                    "id": child.id,
                    "type": child.block_type,
                    **child.block.get_api_representation(child.value, context),
                }
                for child in value["questions"]
            ],
        }
