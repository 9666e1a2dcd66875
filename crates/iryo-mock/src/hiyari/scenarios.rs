//! The invented products and incidents the generator cycles through. Every name and sentence here was
//! written for the mock; makers are fictitious and every 厚労省コード starts with `9999`.

use super::generator::{Details, Drug, Scenario};

const KAKU: &str = "架空製薬株式会社";
const MIHON: &str = "見本薬品工業株式会社";
const TAKASAKI: &str = "髙﨑ファーマ株式会社";
const MEDICAL: &str = "見本メディカル株式会社";

const AMLODIPINE_5: Drug = Drug {
    code: "999900000101",
    name: "アムロジピン錠5mg「架空」",
    maker: KAKU,
};
const AMLODIPINE_25: Drug = Drug {
    code: "999900000102",
    name: "アムロジピン錠2.5mg「架空」",
    maker: KAKU,
};
const METFORMIN: Drug = Drug {
    code: "999900000103",
    name: "メトホルミン塩酸塩錠250mg「架空」",
    maker: KAKU,
};
const GLIMEPIRIDE: Drug = Drug {
    code: "999900000104",
    name: "グリメピリド錠1mg「架空」",
    maker: KAKU,
};
const LOXOPROFEN: Drug = Drug {
    code: "999900000201",
    name: "ロキソプロフェンナトリウム錠60mg「見本」",
    maker: MIHON,
};
const REBAMIPIDE: Drug = Drug {
    code: "999900000202",
    name: "レバミピド錠100mg「見本」",
    maker: MIHON,
};
const LOXOPROFEN_TAPE: Drug = Drug {
    code: "999900000203",
    name: "ロキソプロフェンNaテープ100mg「見本」",
    maker: MIHON,
};
const ACETAMINOPHEN: Drug = Drug {
    code: "999900000204",
    name: "アセトアミノフェン錠200mg「見本」",
    maker: MIHON,
};
const MAGNESIUM_OXIDE: Drug = Drug {
    code: "999900000205",
    name: "酸化マグネシウム細粒83%「見本」",
    maker: MIHON,
};
const WARFARIN_1: Drug = Drug {
    code: "999900000301",
    name: "ワルファリンカリウム錠1mg「試験」",
    maker: TAKASAKI,
};
const WARFARIN_05: Drug = Drug {
    code: "999900000302",
    name: "ワルファリンカリウム錠0.5mg「試験」",
    maker: TAKASAKI,
};
const SOTALOL: Drug = Drug {
    code: "999900000303",
    name: "ソタロール塩酸塩錠40mg「試験」",
    maker: TAKASAKI,
};
const PREDNISOLONE: Drug = Drug {
    code: "999900000304",
    name: "プレドニゾロン錠5mg「試験」",
    maker: TAKASAKI,
};
const CLARITHROMYCIN: Drug = Drug {
    code: "999900000305",
    name: "クラリスロマイシン錠200mg「試験」",
    maker: TAKASAKI,
};
const NEEDLE_32G: Drug = Drug {
    code: "999900000401",
    name: "ペン型注入器用注射針32G「見本」",
    maker: MEDICAL,
};
const NEEDLE_34G: Drug = Drug {
    code: "999900000402",
    name: "ペン型注入器用注射針34G「見本」",
    maker: MEDICAL,
};
const SENSOR: Drug = Drug {
    code: "999900000403",
    name: "血糖測定用センサー「見本」",
    maker: MEDICAL,
};
const FAMOTIDINE_OTC: Drug = Drug {
    code: "999900000501",
    name: "ファモチジン錠10mg「一般用見本」",
    maker: MIHON,
};
const COLD_REMEDY: Drug = Drug {
    code: "999900000502",
    name: "総合かぜ薬Ａ「表示見本」",
    maker: KAKU,
};
const EYE_DROPS: Drug = Drug {
    code: "999900000503",
    name: "抗アレルギー点眼薬「要指導見本」",
    maker: TAKASAKI,
};

pub(super) const SCENARIOS: [Scenario; 17] = [
    Scenario {
        details: Details::Dispensing {
            scene: "100101",
            contents: "100111",
            prescribed: AMLODIPINE_5,
            wrong: Some(AMLODIPINE_25),
            related: None,
        },
        factors: &["010101", "020103"],
        content: "アムロジピン錠5mgの処方に対して2.5mg錠を取り揃えた。交付前の監査で規格の違いに気付いた。",
        background: "月末で来局者が多く、隣り合う棚から規格を見ずに取っていた。",
        improvement: "規格違いの薬剤は棚を離して置き、①バーコード照合、②声に出しての確認の二段階で取り揃える。",
    },
    Scenario {
        details: Details::Dispensing {
            scene: "100101",
            contents: "100104",
            prescribed: REBAMIPIDE,
            wrong: None,
            related: None,
        },
        factors: &["020104", "010101"],
        content: "14日分の処方に7日分しか計数しなかった。帰宅した患者からの電話で不足が分かった。",
        background: "夜勤明けの応援勤務で過労気味だった。前夜は病院の夜勤に入っており、疲労が抜けないまま計数していた。",
        improvement: "夜勤明けの者に計数業務を割り当てない。長時間の連続勤務にならないようシフトを組み直す。",
    },
    Scenario {
        details: Details::Dispensing {
            scene: "100102",
            contents: "100107",
            prescribed: LOXOPROFEN_TAPE,
            wrong: Some(LOXOPROFEN),
            related: None,
        },
        factors: &["010101", "020201"],
        content: "ロキソプロフェンNaテープの処方を、同じ成分の錠剤として入力し調剤した。",
        background: "薬品名の先頭だけで検索し、候補の一番上をそのまま選んでいた。",
        improvement: "検索には剤形まで入力し、候補の表示を①名称②剤形③規格の順に確かめる。",
    },
    Scenario {
        details: Details::Dispensing {
            scene: "100101",
            contents: "100105",
            prescribed: METFORMIN,
            wrong: None,
            related: Some(GLIMEPIRIDE),
        },
        factors: &["010104", "020302"],
        content: "一包化の際、朝食後に飲む錠剤を夕食後の分包に入れてしまった。",
        background: "分包の指示が手書きで、朝と夕の欄が読み取りにくかった。",
        improvement: "一包化の指示は印字した用紙で出し、分包後に用法ごとの錠数を数えて照合する。",
    },
    Scenario {
        details: Details::Dispensing {
            scene: "120100",
            contents: "120101",
            prescribed: WARFARIN_1,
            wrong: None,
            related: None,
        },
        factors: &["010101", "020105"],
        content: "同じ姓の髙橋様が二人来局しており、もう一人の方の薬を渡しかけた。",
        background: "待合室が混んでいて、姓だけで呼び出していた。",
        improvement: "交付の際はフルネームと生年月日を患者本人に名乗ってもらう。",
    },
    Scenario {
        details: Details::Dispensing {
            scene: "110201",
            contents: "110103",
            prescribed: PREDNISOLONE,
            wrong: None,
            related: None,
        },
        factors: &["020204", "020303"],
        content: "棚の在庫の一部が使用期限を過ぎたまま残っていた。調剤の途中で気付き、交付はしていない。",
        background: "期限の確認を誰が行うか決まっていなかった。",
        improvement: "毎月初めに期限表を作り、期限の近いものから手前に並べる。",
    },
    Scenario {
        details: Details::Dispensing {
            scene: "120100",
            contents: "120102",
            prescribed: SOTALOL,
            wrong: None,
            related: None,
        },
        factors: &["010106", "020101"],
        content: "ソタロール塩酸塩錠を1日1回と説明したが、処方は1日2回だった。翌日電話で訂正した。",
        background: "薬歴の前回の記載を読み違えた。",
        improvement: "説明は薬袋の表示を患者と一緒に読み上げて行う。",
    },
    Scenario {
        details: Details::Doubt {
            influence: "01",
            ground: "02",
            change: "03",
            prescribed: WARFARIN_1,
            changed: Some(WARFARIN_05),
        },
        factors: &["010107"],
        content: "ワルファリンの量が前回の倍になっていた。お薬手帳と照らして疑義照会し、前回と同じ量に戻った。",
        background: "処方医が別の患者の指示を入力していた。",
        improvement: "ハイリスク薬は前回の処方との差を必ず確認してから調剤する。",
    },
    Scenario {
        details: Details::Doubt {
            influence: "02",
            ground: "01",
            change: "05",
            prescribed: CLARITHROMYCIN,
            changed: None,
        },
        factors: &["010105"],
        content: "同じ成分の抗菌薬が二つの診療科から重ねて処方されていた。疑義照会で一方が削除となった。",
        background: "診療科の間で処方の情報が共有されていなかった。",
        improvement: "併用薬は複数の情報源（お薬手帳、薬歴、聞き取り）で確かめる。",
    },
    Scenario {
        details: Details::Doubt {
            influence: "01",
            ground: "03",
            change: "01",
            prescribed: LOXOPROFEN,
            changed: Some(ACETAMINOPHEN),
        },
        factors: &["020206"],
        content: "腎機能が低いと話す患者にロキソプロフェンが処方された。疑義照会し、アセトアミノフェンに変更となった。",
        background: "検査値は処方せんに書かれておらず、患者の話で分かった。",
        improvement: "腎機能に注意が要る薬では、検査値を持っているか患者に尋ねる。",
    },
    Scenario {
        details: Details::Doubt {
            influence: "02",
            ground: "02",
            change: "02",
            prescribed: METFORMIN,
            changed: None,
        },
        factors: &["010101", "020199"],
        content: "メトホルミンの用法が1日3回食前となっていた。前回までは食後だったため疑義照会し、食後に戻った。",
        background: "処方の入力画面で用法を選び間違えたとのことだった。用法の入力欄が朝～夕で一つにまとまっていた。",
        improvement: "用法が前回と違うときは、服用時点（朝～夕）ごとに処方医の意図を確かめる。",
    },
    Scenario {
        details: Details::Material {
            scene: "100199",
            contents: "100112",
            prescribed: NEEDLE_32G,
            wrong: Some(NEEDLE_34G),
        },
        factors: &["010101", "020205"],
        content: "32Gの注射針の処方に対して34Gの箱を交付した。次回来局時に患者が気付いた。",
        background: "二つの箱の大きさと色がほとんど同じだった。",
        improvement: "太さの違う注射針は別の棚に置き、箱に大きく太さを書いた札を付ける。",
    },
    Scenario {
        details: Details::Material {
            scene: "110299",
            contents: "110103",
            prescribed: SENSOR,
            wrong: None,
        },
        factors: &["020204"],
        content: "血糖測定用センサーの在庫から、期限切れの箱を交付しかけた。",
        background: "材料の期限は医薬品と別の台帳で管理しており、確認が漏れていた。",
        improvement: "材料も医薬品と同じ期限表で管理する。",
    },
    Scenario {
        details: Details::Sales {
            contents: "130102",
            product: FAMOTIDINE_OTC,
            classification: "02",
        },
        factors: &["010106"],
        content: "第一類医薬品を販売する際、服用中の薬を確かめずに販売した。",
        background: "購入者が急いでおり、説明を短く済ませてしまった。",
        improvement: "第一類医薬品は、確認事項を書いたカードを購入者と一緒に読んでから販売する。",
    },
    Scenario {
        details: Details::Sales {
            contents: "130101",
            product: COLD_REMEDY,
            classification: "04",
        },
        factors: &["010101", "020202"],
        content: "外箱の似た別のかぜ薬を取り違えて販売した。購入者が帰宅後に気付き、交換した。",
        background: "同じ会社の製品で、表の色だけが違っていた。",
        improvement: "外箱の似た製品は並べて置かず、棚札に成分を書く。",
    },
    Scenario {
        details: Details::Sales {
            contents: "130103",
            product: EYE_DROPS,
            classification: "06",
        },
        factors: &["020303"],
        content: "要指導医薬品の在庫に期限切れが混じっていた。販売の直前に気付いた。",
        background: "返品された品を確かめずに棚へ戻していた。",
        improvement: "返品された品は期限を確かめてから棚へ戻す。",
    },
    Scenario {
        details: Details::Dispensing {
            scene: "100101",
            contents: "100103",
            prescribed: MAGNESIUM_OXIDE,
            wrong: None,
            related: None,
        },
        factors: &["020103", "010101"],
        content: "散剤の秤量で、0.5gのところ5gを量り取った。監査で気付き、量り直した。",
        background: "長時間の連続勤務で疲労がたまっていた。小数点の位置を読み違えた。",
        improvement: "秤量値は電子天秤の記録紙で監査者が確かめる。",
    },
];
