"""Views: a linked ``Site`` turned into one frozen, template-ready view per page kind.

Site → ``assessment`` (an assessment page), ``listing`` (the index and a municipality's list),
``changes`` (変更箇所 pages, 更新履歴, feeds) → ``render``.  Templates never see the model or the
catalog directly; ``memo`` reuses site-wide derivations while the records are the same objects.
"""
