"""Input files made for the tests: a web page around a body, a typeset PDF, a PDF without a text layer, and the
claims one file gives through the document pipeline."""

import io

import regex
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from extractor.dataset import claims_frame
from extractor.pipeline import extract_document, get_extractor


def claims_of(path):
    result = extract_document(path, get_extractor())
    return result, claims_frame(result.claims)


def page(body: str, charset: str = "gb2312") -> str:
    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>威海市工业和信息化局</title><style>p {{ line-height: 2 }}</style>
<script>var hits = "企业19家"; document.write("访问量1000次");</script></head>
<body><div class="top-nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li>
<li><a href="/ta">建议提案办理 2023年共办理120件</a></li></ul></div>
<nav><a href="/">网站首页</a> &gt; <a href="/x">建议提案</a></nav>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/x">正文</a></div>
<div class="content">{body}</div>
<div class="links"><h3>相关链接</h3><ul><li><a href="/1">关于公布2022年100家企业名单的通知</a></li>
<li><a href="/2">全市新增企业300家</a></li></ul></div>
<footer>主办单位：威海市工业和信息化局 电话：0631-5233000 访问量：120万次</footer>
</body></html>"""


def make_pdf(paragraphs: list[str], width: float = 440) -> bytes:
    """A PDF typeset as a word processor would: lines filled to `width`, never broken inside a number or word."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    y = 800
    for paragraph in paragraphs:
        line = ""
        for token in regex.findall(r"[A-Za-z0-9.%\-]+|.", paragraph):
            if line and pdfmetrics.stringWidth(line + token, "STSong-Light", 12) > width:
                lines = [line]
                line = token
            else:
                lines, line = [], line + token
            for done in lines:
                if y < 60:
                    pdf.drawString(290, 30, f"- {pdf.getPageNumber()} -")
                    pdf.showPage()
                    y = 800
                pdf.setFont("STSong-Light", 12)
                pdf.drawString(60, y, done)
                y -= 18
        pdf.setFont("STSong-Light", 12)
        pdf.drawString(60, y, line)
        y -= 18
    pdf.save()
    return buffer.getvalue()


def blank_pdf() -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.rect(100, 100, 200, 200)  # a drawing, no text: as a scan looks to a text reader
    pdf.save()
    return buffer.getvalue()
