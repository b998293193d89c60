"""The form macros by construction: an error summary lists one message per control, linked only to
a control that is on the page, never a dict of messages; ids a template repeats stay unique."""

from flask import render_template_string
from werkzeug.datastructures import MultiDict
from wtforms import Form, HiddenField, StringField
from wtforms.validators import InputRequired

from measures.register.forms import MeasureForm

SUMMARY = '{% from "_macros/forms.html" import error_summary %}{{ error_summary([form]) }}'


class _Small(Form):
    version = HiddenField(validators=[InputRequired(message="Herlaad het formulier.")])
    title = StringField("Titel", validators=[InputRequired(message="Vul een titel in.")])


def test_the_summary_walks_lists_of_forms_down_to_their_controls(app):
    with app.test_request_context():
        form = MeasureForm(
            [], [], formdata=MultiDict({"title": "x", "budget-0-amount": "abc", "budget-1-amount": "-1"})
        )
        form.lead.choices = form.co_owners.choices = form.themes.choices = []
        assert not form.validate()
        html = render_template_string(SUMMARY, form=form)
    assert 'href="#budget-0-amount">Budgetregel 1, Bedrag (€): Geef een bedrag in euro' in html
    assert 'href="#budget-1-amount">Budgetregel 2, Bedrag (€): Geef een bedrag van 0 of meer.' in html
    assert 'href="#budget"' not in html and "{" not in html and "[" not in html


def test_an_error_on_a_hidden_field_is_shown_without_a_link(app):
    with app.test_request_context():
        form = _Small(MultiDict({"title": ""}))
        assert not form.validate()
        html = render_template_string(SUMMARY, form=form)
    assert "<li>Herlaad het formulier.</li>" in html and 'href="#version"' not in html
    assert 'href="#title">Titel: Vul een titel in.</a>' in html


def test_a_repeated_part_gets_a_new_id_each_time(app):
    page = (
        '{% from "_macros/tables.html" import scroll_region %}'
        "{% for n in range(3) %}{% call scroll_region('Tabel') %}<table><caption>t</caption></table>{% endcall %}{% endfor %}"
    )
    with app.test_request_context():
        html = render_template_string(page)
    assert [f'id="schuif-{n}"' in html for n in (1, 2, 3)] == [True, True, True]
    assert html.count('aria-describedby="schuif-') == 3
