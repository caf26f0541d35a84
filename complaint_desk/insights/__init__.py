"""Complaint insights for supervisors: volume, emotions, escalation, resolution, SLA, follow-ups, root causes.

settings     labels and thresholds (knowledge/insights.yml, the remedy policy)
filters      the date range, category and level the page is narrowed to
records      the cases (ComplaintRecord) and follow-ups read from the stores; all the SQL
aggregates   one function per section over loaded cases (pure Python)
root_causes  the customers' own words: top TF-IDF phrases per category (jieba)
report       all sections together (compute, insights) and the cache the page is served from
export       one flat row per case for the CSV/JSON exports
errors       InsightsError, for bad filters, sections or settings (messages in Chinese)
"""
