"""The pure form engine: schemas, field types, rules, wizard navigation, workflows, reference tables, the office calendar. No Flask, no database."""
