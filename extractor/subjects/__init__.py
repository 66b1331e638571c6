"""The subject of a figure: what it counts or measures, in the document's own words (docs/claims.md §7).

A subject is read from the words before the number in its clause, and from
further away where they say too little (the order is in `resolver.SubjectResolver.resolve`):
  1. a breakdown gives each item its place and the measure it breaks down
     (小微企业贷款主要投向甲市（3.1万亿元）、乙市（2.2万亿元） -> 甲市小微企业贷款;
     A、B两项分别为18.2%和47.5% -> A, B), the metric read from the measure;
  2. a clause's own words, trimmed; for a rank, the thing ranked (not 排名…); for a
     rate, its base (按…的50%); for a subsidy, its recipient (对…，, …上市的，);
  3. a number before a noun counts that noun (培育5-6个百亿级企业 -> 百亿级企业), keeping
     a 新增 or 累计 before it and what the firms do (27家企业开展改造 -> 开展改造的企业);
  4. a clause with no subject of its own continues the previous figure's (同比增长7.93%;
     其中国家级9家; 较上年提高2个百分点 of a share, 高于全省增速3个百分点 of a growth rate);
  5. a clause with no words at all takes what its sentence or paragraph counts
     (高新技术企业队伍壮大。截至2021年底，全市共有300家 -> 高新技术企业);
  6. a bare measure keeps its holder (科技型企业…获贷率为48% -> 科技型企业获贷率), and relief
     the policy that brings it (…政策，新增减税14亿元).
A subject is a sequence of spans of the text, with the few joining words the
text leaves out (的, 数量, 的比重), so the pipeline maps it back to the
document through the normaliser's offset map instead of searching for it.
The words live in rules/subjects.toml, compiled in rules.py; spans.py holds the
span arithmetic; breakdowns.py reads 1, resolver.py 2 and 3, inheritance.py 4
and 5, holders.py 6.
"""

from .resolver import SubjectResolver
from .spans import Earlier, Piece, Subject

__all__ = ["Earlier", "Piece", "Subject", "SubjectResolver"]
