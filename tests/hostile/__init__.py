"""The hostile-input suite: what an attacker, a broken server or a careless client sends, and
what we answer. Every new form and every new activity type adds its bad-input cases here."""
