"""The library's own Vietnamese templates (data, in the shape of ``TemplateSet.from_mapping``).

Kept short for SMS: Vietnamese with diacritics travels as UCS-2, 70 characters in one
segment and 67 in each part of a longer one (docs/notifications.md). The agency's name is
not known to the library: an agency's override writes it (docs/notifications.md).
"""

from __future__ import annotations

from typing import Any

from tthc_flow._labels import label

_SIGN = "\n\nTrân trọng,\n" + label("role.one_stop")

DEFAULT_TEMPLATES: dict[str, Any] = {
    "receipt": {
        "sms": {"body": "Hồ sơ ${code} đã được tiếp nhận. Hẹn trả kết quả: ${due}."},
        "email": {
            "subject": "Tiếp nhận hồ sơ ${code}",
            "body": "Kính gửi ${applicant},\n\nHồ sơ ${code} (${procedure}) đã được tiếp "
            "nhận lúc ${received}.\nThời gian hẹn trả kết quả: ${due}." + _SIGN,
        },
        "zalo": {
            "subject": "Tiếp nhận hồ sơ ${code}",
            "body": "Hồ sơ ${code} (${procedure}) đã được tiếp nhận lúc ${received}. "
            "Hẹn trả kết quả: ${due}.",
        },
    },
    "supplement": {
        "sms": {"body": "Hồ sơ ${code} cần bổ sung: ${missing}. Hạn bổ sung: ${closes}."},
        "email": {
            "subject": "Yêu cầu bổ sung, hoàn thiện hồ sơ ${code}",
            "body": "Kính gửi ${applicant},\n\nHồ sơ ${code} (${procedure}) cần được bổ sung, "
            "hoàn thiện: ${missing}.\nHồ sơ không được bổ sung, hoàn thiện trước ${closes} "
            "sẽ bị đóng (khoản 5 Điều 19 Nghị định 118/2025/NĐ-CP)." + _SIGN,
        },
        "zalo": {
            "subject": "Yêu cầu bổ sung hồ sơ ${code}",
            "body": "Hồ sơ ${code} cần bổ sung, hoàn thiện: ${missing}. Hạn bổ sung: ${closes}.",
        },
    },
    "supplement_at_reception": {
        "sms": {"body": "Hồ sơ ${code} chưa đầy đủ, đề nghị bổ sung: ${missing}."},
        "email": {
            "subject": "Hướng dẫn bổ sung, hoàn thiện hồ sơ ${code}",
            "body": "Kính gửi ${applicant},\n\nHồ sơ ${code} (${procedure}) chưa đầy đủ. Đề "
            "nghị ông/bà bổ sung, hoàn thiện: ${missing}." + _SIGN,
        },
        "zalo": {
            "subject": "Bổ sung hồ sơ ${code}",
            "body": "Hồ sơ ${code} chưa đầy đủ, đề nghị bổ sung: ${missing}.",
        },
    },
    "apology": {
        "sms": {
            "body": "Xin lỗi ông/bà: hồ sơ ${code} chưa có kết quả đúng hẹn. Hẹn lại: ${new_due}."
        },
        "email": {
            "subject": "Thư xin lỗi và hẹn lại ngày trả kết quả hồ sơ ${code}",
            "body": "Kính gửi ${applicant},\n\nHồ sơ ${code} (${procedure}) hẹn trả kết quả "
            "${previous_due} chưa giải quyết được đúng hạn. Lý do: ${reason}.\nChúng tôi "
            "thành thật xin lỗi và hẹn trả kết quả vào ${new_due}." + _SIGN,
        },
        "zalo": {
            "subject": "Xin lỗi, hẹn lại ngày trả kết quả",
            "body": "Hồ sơ ${code} chưa có kết quả đúng hẹn (${previous_due}). Lý do: "
            "${reason}. Xin lỗi ông/bà, hẹn lại: ${new_due}.",
        },
    },
    "result_ready": {
        "sms": {"body": "Hồ sơ ${code} ${outcome}. Mời ông/bà nhận kết quả."},
        "email": {
            "subject": "Hồ sơ ${code} ${outcome}",
            "body": "Kính gửi ${applicant},\n\nHồ sơ ${code} (${procedure}) ${outcome} lúc "
            "${resolved}. Mời ông/bà nhận kết quả theo hẹn: ${due}." + _SIGN,
        },
        "zalo": {
            "subject": "Hồ sơ ${code} ${outcome}",
            "body": "Hồ sơ ${code} ${outcome}. Mời ông/bà nhận kết quả theo hẹn: ${due}.",
        },
    },
    "early_return": {
        "sms": {"body": "Hồ sơ ${code} ${outcome} trước hẹn. Mời ông/bà nhận kết quả sớm."},
        "email": {
            "subject": "Hồ sơ ${code} ${outcome} trước ngày hẹn",
            "body": "Kính gửi ${applicant},\n\nHồ sơ ${code} (${procedure}) ${outcome} lúc "
            "${resolved}, trước thời gian hẹn trả (${due}). Ông/bà có thể nhận kết quả "
            "từ nay (khoản 5 Điều 22 Nghị định 118/2025/NĐ-CP)." + _SIGN,
        },
        "zalo": {
            "subject": "Hồ sơ ${code} ${outcome} trước hẹn",
            "body": "Hồ sơ ${code} ${outcome} trước hẹn (${due}). Ông/bà có thể nhận kết "
            "quả từ nay.",
        },
    },
}
"""Every kind on every channel (SMS, e-mail, Zalo)."""
