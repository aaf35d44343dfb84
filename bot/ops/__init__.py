"""Operations: the local console (`console`), `/healthz` (`health`), start-up mode choice
(`startup`) and the text reports of the CLI verbs (`reports`)."""
