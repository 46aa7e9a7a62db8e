"""Iraqi-names deduplication data with known truth, for the benchmark and the tests.

`generate(n_records, seed)` returns `(records, truth)`: `Record`s of people as partners
register them, and the set of record-id pairs that are the same person. Pure Python,
no Django: the households, names and places come from the demo registry's generator
(`sanad.registry.demo`, itself Django-free); on top of it this module adds what makes
deduplication hard, and remembers who is who.

What is in it:

- Households with the patronymic chain (a child's father's name is the head's given
  name, its grandfather's name the head's father's name), Arab, Turkmen, Christian,
  Yazidi and Kurdish names, ages, phones and papers as the demo draws them; most names
  then drawn again, consistently within the household, from longer tables of the same
  community (`_MORE`: the demo's few dozen names a community would make unrelated
  people share all their names far too often).
- Registrations as partners write them: in Arabic script, or in Latin letters (about
  a third of registrations, each with its own transliteration: Mohammed, Muhammad,
  Mohamed; Abdulrahman, Abdul Rahman; Al-Obaidi, Al Ubaidi …), sometimes in capitals;
  Arabic typed another way (hamza, taa marbuta, alef maqsura, `عبد ال` joined,
  Kurdish letters on an Arabic keyboard, the article `ال` left out); forms with the
  four name parts or only a full name (three or four names), grandfather's or family
  name not asked; phones in several formats; documents asked by some partners only.
- Re-registrations of about 8 % of the households (a tenth of them a third time) by
  another partner or after a move: their own script and spelling, a new household id,
  often another district or governorate, estimated dates of birth (year only, 1 January
  or 1 July, a year off), day and month swapped, typing slips, missing name parts, a new
  SIM card or no phone, a member away, a baby born since (not a duplicate), the head's
  wife registering as head, and a married son registering his own family apart (the
  same people in a household of another shape). About 40 % of the duplicate pairs are
  across scripts.
- Hard non-matches: brothers and sisters in one household; twins (same date of birth,
  same father, different given names, often Hassan and Hussein); a son named after his
  grandfather (`Ali Mohammed Ali` beside `Mohammed Ali Hussein`); a brother's household
  close by whose children are cousins named after the same grandfather (`Hussein Ali
  Hussein` and `Hussein Omar Hussein`); and the common names of the tables (there are
  many `Mohammed Ali Hussein`).

Deterministic by seed; a million records take about half a minute. `cached(...)` keeps
the generated set in the temporary folder for the benchmark.
"""

from __future__ import annotations

import itertools
import pickle
import random
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sanad.dedup.engine.records import Record
from sanad.registry.demo import generate_households
from sanad.registry.demo import geography as geo
from sanad.registry.demo.names import (
    COMMUNITIES,
    NameTable,
    arabic_variant,
    latin_spellings,
    respell,
)

VERSION = 2  # bump when the output for a seed changes (the cache key)

LATIN_SHARE = 0.3  # registrations written in Latin letters
FULL_NAME_ONLY = 0.15  # registrations with one full-name field instead of four parts
REREGISTERED = 0.08  # households registered again
THIRD_TIME = 0.1  # of those, registered a third time
SPLIT = 0.12  # of re-registrations where possible: a married son's family apart
TWINS = 0.05  # households with children: a pair of twins
NAMED_AFTER_GRANDFATHER = 0.3  # male-headed households: eldest son has the head's father's name
BROTHER_NEARBY = 0.06  # male-headed households: the next one is the head's brother's
DIVERSIFY = 0.8  # each name of a household drawn again from its community's longer table

_AVG_HOUSEHOLD = 5.3
_RECORD_FIELDS = (
    "given_name",
    "father_name",
    "grandfather_name",
    "family_name",
    "full_name",
    "sex",
    "date_of_birth",
    "dob_estimated",
    "phone",
    "document_number",
    "address",
    "admin1_pcode",
    "admin2_pcode",
    "relationship",
)
_CHILD = ("son", "daughter")
_HASSAN, _HUSSEIN = "حسن", "حسين"

# --- More names: the demo tables hold the most common few dozen names of each community;
# with them alone, unrelated people share all their names far more often than they do.
# These tails (Arabic script or the Kurdish alphabet = Latin spellings, as in
# `sanad.registry.demo.names`) give each community a realistic spread. -------------------
_ARAB_MALE_MORE = NameTable("""
    2 كريم = Kareem / Karim
    2 رعد = Raad / Ra'ad
    2 زيد = Zaid / Zayd / Zeid
    2 طارق = Tariq / Tarek / Tareq
    2 ماجد = Majid / Majed
    2 فراس = Firas / Feras
    2 حيدر = Haider / Hayder / Haidar
    2 كرار = Karrar / Karar
    2 مهند = Muhannad / Mohannad
    2 مؤيد = Muayad / Moayad / Muayyad
    2 منذر = Munther / Mundhir / Monther
    2 نبيل = Nabil / Nabeel
    2 نزار = Nizar / Nezar
    2 هشام = Hisham / Hesham
    2 وسام = Wisam / Wesam / Wissam
    2 ثامر = Thamer / Thamir
    2 جمال = Jamal / Gamal
    2 رائد = Raed / Ra'id
    2 رشيد = Rasheed / Rashid
    2 سامي = Sami / Samy
    2 سلام = Salam
    2 صباح = Sabah
    2 ضياء = Dhiaa / Diaa / Dhia
    2 عادل = Adel / Adil
    2 عامر = Amer / Amir / Aamer
    2 عدنان = Adnan
    2 عصام = Isam / Essam / Issam
    2 علاء = Alaa / Ala'a
    2 عماد = Imad / Emad
    2 غانم = Ghanim / Ghanem
    2 فاضل = Fadhil / Fadil / Fadel
    2 فؤاد = Fuad / Fouad
    2 قاسم = Qasim / Kasim
    2 كاظم = Kadhim / Kazim / Kadhem
    2 لؤي = Luay / Louay / Loay
    2 مازن = Mazin / Mazen
    2 محسن = Muhsin / Mohsen / Mohsin
    2 مشتاق = Mushtaq
    2 منير = Munir / Mouneer
    2 ناصر = Nasir / Nasser / Naser
    2 هاشم = Hashim / Hashem
    2 وائل = Wael / Wa'il
    2 يحيى = Yahya / Yehia
    2 يوسف = Yousif / Yusuf / Youssef
    2 أيمن = Ayman / Aiman
    2 أسامة = Osama / Usama
    2 باسم = Basim / Basem
    2 بشير = Bashir / Basheer
    2 جعفر = Jafar / Ja'far
    2 حاتم = Hatim / Hatem
    2 حازم = Hazim / Hazem
    2 حسام = Husam / Hussam / Hosam
    2 حميد = Hameed / Hamid
    2 خليل = Khalil / Khaleel
    2 راضي = Radhi / Radi
    2 رياض = Riyadh / Riyad
    2 سالم = Salim / Salem
    2 سعدون = Saadoun / Sadoon
    2 شهاب = Shihab / Shehab
    2 صلاح = Salah
    2 ظافر = Dhafer / Zafer / Dhafir
    2 عبد الستار = Abdulsattar / Abdul Sattar / Abd al-Sattar
    2 عبد الرزاق = Abdulrazzaq / Abdul Razzaq / Abdelrazak
    2 عبد الجبار = Abduljabbar / Abdul Jabbar
    2 عبد الوهاب = Abdulwahab / Abdul Wahab / Abdelwahab
    2 عبد الحميد = Abdulhameed / Abdul Hamid
    2 عبد القادر = Abdulqadir / Abdul Qader / Abdelkader
    2 عبد السلام = Abdulsalam / Abdul Salam / Abdessalam
    2 عبد اللطيف = Abdullatif / Abdul Latif
    2 عبد المجيد = Abdulmajeed / Abdul Majid
    2 عبد الحسين = Abdulhussein / Abdul Hussein
    2 عبد الأمير = Abdulameer / Abdul Amir
    1 عبد الغني = Abdulghani / Abdul Ghani
    1 عبد الخالق = Abdulkhaliq / Abdul Khaliq
    1 عبد الحكيم = Abdulhakeem / Abdul Hakim
    1 عبد الهادي = Abdulhadi / Abdul Hadi
    1 عبد الواحد = Abdulwahid / Abdul Wahid
    1 عقيل = Aqeel / Aqil / Akeel
    1 غسان = Ghassan
    1 فلاح = Falah
    1 قحطان = Qahtan / Kahtan
    1 ليث = Laith / Layth / Leith
    1 مثنى = Muthanna / Muthana
    1 مجيد = Majeed / Majid
    1 مرتضى = Murtadha / Mortada / Murtada
    1 مقداد = Miqdad / Meqdad
    1 نجم = Najim / Najm
    1 نوري = Nouri / Nuri
    1 هيثم = Haitham / Haytham
    1 ياسين = Yaseen / Yasin
    1 أنور = Anwar
    1 أياد = Ayad / Eyad / Iyad
    1 بكر = Bakr / Bakir
    1 تحسين = Tahseen / Tahsin
    1 جلال = Jalal
    1 حكمت = Hikmat / Hekmat
    1 خضير = Khudhair / Khudair / Khdeir
    1 زهير = Zuhair / Zuhayr
    1 ستار = Sattar / Satar
    1 سرمد = Sarmad
    1 شوكت = Shawkat / Showkat
    1 طه = Taha
    1 عزيز = Aziz / Azeez
    1 فالح = Falih / Faleh
    1 كامل = Kamil / Kamel
    1 مالك = Malik / Malek
    1 نهاد = Nihad / Nehad
    1 هادي = Hadi
    1 منتظر = Muntadhar / Muntazar
    1 سجاد = Sajjad / Sajad
    1 مهدي = Mahdi / Mehdi
""")
_ARAB_FEMALE_MORE = NameTable("""
    2 آية = Aya / Ayah
    2 إخلاص = Ikhlas / Ekhlas
    2 أسيل = Aseel / Asil
    2 بان = Ban
    2 بتول = Batool / Batoul
    2 تبارك = Tabarak
    2 جنان = Jinan / Janan
    2 حلا = Hala
    2 حوراء = Hawraa / Hawra
    2 دنيا = Dunya / Donia
    2 رحاب = Rihab / Rehab
    2 رشا = Rasha
    2 ريم = Reem / Rim
    2 زهراء = Zahraa / Zahra
    2 سجى = Saja
    2 سرى = Sura / Surra
    2 سعاد = Suad / Souad
    2 سناء = Sanaa / Sana
    2 سهى = Suha / Soha
    2 شذى = Shatha / Shaza
    2 صبا = Saba
    2 ضحى = Dhuha / Duha
    2 عبير = Abeer / Abir
    2 علياء = Alyaa / Aliaa
    2 غادة = Ghada
    2 فرح = Farah
    2 كوثر = Kawthar / Kawther / Kauthar
    2 لبنى = Lubna / Loubna
    2 لقاء = Liqaa / Leqaa
    2 ماجدة = Majida / Majeda
    2 منى = Muna / Mona
    2 مها = Maha
    2 ميس = Mays / Mais
    2 نادية = Nadia / Nadiya
    2 نجلاء = Najlaa / Najla
    2 نسرين = Nisreen / Nasrin
    2 نهى = Nuha / Noha
    2 هالة = Hala
    2 هناء = Hanaa / Hana
    2 وداد = Widad / Wedad
    2 ياسمين = Yasmin / Yasmeen
    1 إنعام = Inaam / Enaam
    1 بشرى = Bushra / Boushra
    1 تغريد = Taghreed / Taghrid
    1 خلود = Khulood / Kholoud
    1 رباب = Rabab
    1 زينة = Zeina / Zaina
    1 سلمى = Salma
    1 شهلاء = Shahlaa / Shahla
    1 عفاف = Afaf
    1 فاتن = Faten / Fatin
    1 كريمة = Karima / Kareema
    1 ملاك = Malak
    1 هيفاء = Haifa / Haifaa
    1 وجدان = Wijdan / Wejdan
    1 يسرى = Yusra / Yousra
    1 أفراح = Afrah
    1 ابتسام = Ibtisam / Ebtesam
    1 جميلة = Jamila / Jameela
    1 حياة = Hayat
    1 رجاء = Rajaa / Raja
    1 سلوى = Salwa
    1 عالية = Aliya / Alia
    1 ميسون = Maysoon / Maisoon
    1 نجاة = Najat
""")
_ARAB_FAMILY_MORE = NameTable("""
    2 التميمي = Al-Tamimi / Altamimi / Al Tamimi
    2 الخفاجي = Al-Khafaji / Alkhafaji
    2 السعدي = Al-Saadi / Al-Sa'adi
    2 الجنابي = Al-Janabi / Aljanabi
    2 الهيتي = Al-Hiti / Al-Heeti
    2 الكبيسي = Al-Kubaisi / Al-Kubaysi
    2 البياتي = Al-Bayati / Albayati
    2 السامرائي = Al-Samarrai / Al-Samarraie
    2 النعيمي = Al-Nuaimi / Al-Noaimi / Al-Naimi
    2 اللامي = Al-Lami / Allami
    2 الموسوي = Al-Musawi / Al-Mousawi
    2 الحسيني = Al-Husseini / Al-Hussaini
    2 الهاشمي = Al-Hashimi / Al-Hashemi
    2 البزاز = Al-Bazzaz / Al-Bazaz
    2 القيسي = Al-Qaisi / Al-Kaisi / Al-Qaysi
    2 الخزرجي = Al-Khazraji
    2 العزاوي = Al-Azzawi / Al-Azawi
    2 الدوري = Al-Douri / Al-Duri
    2 المحمدي = Al-Mohammedi / Al-Muhammadi
    2 الفلاحي = Al-Falahi / Al-Fellahi
    2 الربيعي = Al-Rubaie / Al-Rubaiy / Al-Rubai
    2 الساعدي = Al-Saedi / Al-Sa'idi
    2 الأسدي = Al-Asadi / Al-Assadi
    2 الكعبي = Al-Kaabi / Al-Ka'bi
    2 العكيلي = Al-Ugaili / Al-Aqeeli / Al-Ogaili
    2 المياحي = Al-Mayahi / Al-Mayyahi
    2 السلماني = Al-Salmani
    2 الصميدعي = Al-Sumaidaie / Al-Sumaydai
    2 الزوبعي = Al-Zobaie / Al-Zawbaie
    2 المعماري = Al-Mimari / Al-Maamari
    2 الجوادي = Al-Jawadi
    2 العنزي = Al-Anazi / Al-Enezi / Al-Anizi
    2 الحربي = Al-Harbi
    2 النجار = Al-Najjar / Al-Najar
    2 الحداد = Al-Haddad / Al-Hadad
    2 الصفار = Al-Saffar / Al-Safar
    2 الخياط = Al-Khayat / Al-Khayyat
    2 العطار = Al-Attar / Al-Atar
    2 الدباغ = Al-Dabbagh / Al-Dabagh
    2 الطحان = Al-Tahhan / Al-Tahan
    2 الشيخلي = Al-Sheikhly / Al-Shaikhli
    2 الآلوسي = Al-Alusi / Al-Aloosi
    2 البدري = Al-Badri / Albadri
    2 الكرخي = Al-Karkhi
    2 الموصلي = Al-Mosuli / Al-Mawsili
    2 الحيدري = Al-Haidari / Al-Hayderi
""")
_CHRISTIAN_MALE_MORE = NameTable("""
    2 شمعون = Shamoun / Shimon
    2 سركون = Sargon / Sarkon
    2 نينوس = Ninos / Ninus
    2 آشور = Ashur / Ashour / Assur
    2 سامر = Samer / Samir
    2 باسل = Basil / Basel
    2 رعد = Raad
    2 وسام = Wisam / Wesam
    2 عماد = Imad / Emad
    2 جميل = Jamil / Jameel
    2 إدوارد = Edward / Edouard
    2 ريمون = Raymond / Rimon
    2 فريد = Farid / Fareed
    2 كمال = Kamal
    2 نوئيل = Noel / Nouel
    2 لويس = Louis / Luis
    2 بولس = Boulos / Paulos / Bolos
    2 ميخائيل = Mikhael / Michael / Mikhail
    2 عيسى = Issa / Eesa
    2 داود = Dawood / Dawoud / Daoud
    2 سليمان = Suleiman / Sulaiman
    2 أنطوان = Antoine / Antwan
    2 غازي = Ghazi
    2 سعد = Saad
    2 منير = Munir
    2 نجيب = Najib / Najeeb
    2 حبيب = Habib / Habeeb
    2 زيا = Zaya / Ziya
    2 خضر = Khidhir / Khudur
    2 صباح = Sabah
    2 هيثم = Haitham
    2 مؤيد = Muayad / Moayad
""")
_CHRISTIAN_FEMALE_MORE = NameTable("""
    2 نوال = Nawal
    2 سوزان = Suzan / Susan
    2 جاكلين = Jacqueline / Jaklin
    2 كريستين = Christine / Kristin
    2 إيفا = Eva / Iva
    2 نادين = Nadine / Nadeen
    2 رانيا = Rania / Ranya
    2 هيلين = Helen / Hilin
    2 فيفيان = Vivian / Fivian
    2 جوليا = Julia / Julya
    2 لينا = Lina / Leena
    2 ماري = Mary / Mari
    2 سلوى = Salwa
    2 نضال = Nidal
    2 ميرنا = Mirna / Myrna
    2 شيرين = Shireen / Shirin
    2 ليديا = Lydia / Lidia
    2 إيمان = Iman / Eman
    2 منى = Mona / Muna
    2 سهام = Siham / Seham
    2 وفاء = Wafaa / Wafa
    2 كلارا = Clara / Klara
    2 تيريزا = Teresa / Tereza
    2 أوليفيا = Olivia
""")
_CHRISTIAN_FAMILY_MORE = NameTable("""
    2 يوسف = Yousif / Youssef
    2 عيسى = Issa
    2 بولص = Boulus / Polus
    2 شمعون = Shamoun
    2 ججو = Jajo / Jejo
    2 كساب = Kassab / Qassab
    2 عبو = Abbo / Abo
    2 ككا = Kaka
    2 صليوا = Saliwa / Sliwa
    2 حداد = Haddad
    2 قريو = Qaryo / Karyo
    2 منصور = Mansour / Mansur
    2 ساكا = Saka
    2 دنخا = Denkha / Dinkha
    2 يونان = Younan / Yonan
    2 خوشابا = Khoshaba / Khoshabo
    2 حبش = Habash
    2 موميكا = Momika / Mumika
    2 شعيا = Shaya / Shaaya
    2 كلو = Kallo / Kalo
""")
_KURMANJI_MALE_MORE = NameTable("""
    2 قيران = Qiran / Kiran
    2 كوجر = Kocher / Kuchar
    2 حسن = Hasan / Hassan
    2 جميل = Jamil
    2 زيدان = Zaidan / Zeidan
    2 شيخو = Sheikho / Shekho
    2 عيدو = Eido / Aido
    2 خليل = Khalil
    2 رشو = Rasho / Rashu
    2 سمو = Semo / Sammo
    2 حمو = Hamo / Hammo
    2 ممو = Mamo / Mammo
    2 درويش = Darwish / Derwesh
    2 شرف = Sharaf / Sheref
    2 بدل = Badal / Bedel
    2 كمال = Kamal
    2 نعمت = Nimat / Ni'mat
    2 حيدر = Haider
    2 سليمان = Sulaiman / Suleman
    2 صالح = Salih / Saleh
    2 كاوا = Kawa / Kava
    2 هوشنك = Hoshang / Hushang
    2 فرمان = Farman / Ferman
    2 خيرو = Khero / Khairo
    2 ناصر = Nasir / Naser
    2 عزيز = Aziz
    2 جندي = Jundi / Jendi
    2 عبدي = Abdi / Ebdi
    2 مجو = Majo / Mejo
    2 داود = Dawood / Dawud
    2 زردشت = Zardasht / Zaradesht
    2 شفان = Shivan / Shvan
    2 دلير = Dilir / Dler
    2 آزاد = Azad
    2 جودي = Judi / Cudi
""")
_KURMANJI_FEMALE_MORE = NameTable("""
    2 خاتون = Khatoon / Khatun
    2 نسيمة = Nasima / Naseema
    2 شكرية = Shukriya / Shukria
    2 وضحة = Wadha
    2 خنساء = Khansa
    2 عدلة = Adla
    2 حياة = Hayat
    2 سهام = Siham
    2 بهار = Bahar
    2 سوزان = Suzan
    2 عمشة = Amsha / Emsha
    2 زهرة = Zahra / Zehra
    2 نازي = Nazi / Nazee
    2 هيفي = Hevi / Hivi
    2 آسيا = Asia / Asya
    2 دلال = Dalal / Delal
    2 گوله = Gule / Gula
    2 روناك = Runak / Ronak
    2 شيلان = Shilan
    2 ژيان = Jiyan / Zhiyan
    2 كوليزار = Gulizar / Kulizar
    2 سيفي = Sefi / Seve
    2 بيروز = Peroz / Biroz
    2 دلشا = Dilsha
""")
_KURMANJI_FAMILY_MORE = NameTable("""
    2 رشو = Rasho
    2 شمو = Shamo
    2 حسن = Hasan
    2 عيدو = Eido
    2 درويش = Darwish
    2 سليمان = Sulaiman
    2 إبراهيم = Ibrahim
    2 مراد = Murad
    2 نايف = Nayef
    2 حمو = Hamo
    2 شيخو = Sheikho
    2 بدل = Badal
    2 كوجر = Kocher
    2 ممو = Mamo
    2 جندي = Jundi
    2 عبدي = Abdi
    2 كمال = Kamal
    2 زيدان = Zaidan
    2 سمو = Semo
    2 عثمان = Othman / Osman
""")
_KURD_MALE_MORE = NameTable("""
    2 ئاراس = Aras
    2 بارزان = Barzan
    2 بێوار = Bewar / Biwar
    2 چیا = Chiya / Chia
    2 دیار = Diyar / Dyar
    2 ڕزگار = Rizgar / Rzgar
    2 زیرەک = Zirak / Zirek
    2 سیروان = Sirwan / Sirvan
    2 شاخەوان = Shakhawan
    2 گۆران = Goran
    2 هەڵگورد = Halgurd / Halgord
    2 ئاسۆ = Aso / Asso
    2 ئاکام = Akam
    2 ئاوات = Awat
    2 ئیدریس = Idris / Edris
    2 بەهرۆز = Behroz / Bahroz
    2 پشتیوان = Pshtiwan / Peshtiwan
    2 جەلال = Jalal
    2 ڕەحیم = Rahim / Raheem
    2 ڕەزا = Raza / Reza
    2 سالار = Salar
    2 سەلام = Salam
    2 سۆران = Soran
    2 شەماڵ = Shamal
    2 عەلی = Ali / Eli
    2 قادر = Qadir / Kadir
    2 کەریم = Karim / Kareem
    2 لوقمان = Luqman / Loqman
    2 مەسعود = Masoud / Masud
    2 نەبەز = Nabaz
    2 هەژار = Hazhar / Hajar
    2 هۆشیار = Hoshyar / Hoshiar
    2 یاسین = Yasin / Yaseen
    2 ئەحمەد = Ahmad / Ahmed
    2 مستەفا = Mustafa
    2 ئیبراهیم = Ibrahim
    2 عوسمان = Osman / Othman
    2 ڕێباز = Rebaz
    2 سەرهەنگ = Sarhang / Serheng
    2 شوکر = Shukr / Shukur
""")
_KURD_FEMALE_MORE = NameTable("""
    2 تارا = Tara
    2 چنار = Chinar / Chnar
    2 ڕووناک = Runak / Rounak
    2 زینە = Zina / Zeena
    2 ژینۆ = Zhino / Jino
    2 سارا = Sara
    2 سیما = Sima / Seema
    2 شنۆ = Shno / Shnu
    2 گەلاوێژ = Galawezh / Gelawej
    2 ئاسیا = Asia / Asya
    2 بەفرین = Bafrin / Befrin
    2 پەری = Pari / Peri
    2 دیلان = Dilan / Delan
    2 ڕەنگین = Rangin / Rengin
    2 سەروە = Sarwa / Serwe
    2 شادی = Shadi / Shady
    2 کانی = Kani
    2 گوڵاڵە = Gulala / Golala
    2 لەیلا = Layla / Leila
    2 نیگار = Nigar / Negar
    2 هانا = Hana
    2 هێڤی = Hevi / Hivi
    2 ئاوێستا = Avesta / Awesta
    2 زەینەب = Zaynab / Zeinab
    2 ئامینە = Amina
""")
_KURD_FAMILY_MORE = NameTable("""
    2 هەورامی = Hawrami / Hewrami
    2 جاف = Jaff / Jaf
    2 زێباری = Zebari / Zibari
    2 سۆرچی = Surchi / Sorchi
    2 هەرکی = Harki / Herki
    2 ئامێدی = Amedi / Amadi
    2 زاخۆیی = Zakhoyi / Zakhoy
    2 شێخانی = Shekhani / Sheikhani
    2 بالەکی = Balaki / Baleki
    2 پشدەری = Pishdari / Pshdari
    2 خۆشناو = Khoshnaw / Khoshnaaw
    2 دزەیی = Dizayi / Dizayee
    2 کاکەیی = Kakayi / Kakai
    2 ڕەواندزی = Rawanduzi / Rwandizi
    2 مەحمود = Mahmud / Mahmood
    2 عەبدوڵڵا = Abdulla / Abdullah
    2 ئەمین = Amin / Ameen
    2 قادر = Qadir
    2 ڕەشید = Rashid / Rasheed
    2 کەریم = Karim
""")
# community → (male, female, family) tails
_MORE = {
    "arab": (_ARAB_MALE_MORE, _ARAB_FEMALE_MORE, _ARAB_FAMILY_MORE),
    "turkmen": (_ARAB_MALE_MORE, _ARAB_FEMALE_MORE, _ARAB_FAMILY_MORE),
    "christian": (_CHRISTIAN_MALE_MORE, _CHRISTIAN_FEMALE_MORE, _CHRISTIAN_FAMILY_MORE),
    "yazidi": (_KURMANJI_MALE_MORE, _KURMANJI_FEMALE_MORE, _KURMANJI_FAMILY_MORE),
    "syrian_kurd": (_KURMANJI_MALE_MORE, _KURMANJI_FEMALE_MORE, _KURMANJI_FAMILY_MORE),
    "kurd_badini": (_KURD_MALE_MORE, _KURD_FEMALE_MORE, _KURD_FAMILY_MORE),
    "kurd_sorani": (_KURD_MALE_MORE, _KURD_FEMALE_MORE, _KURD_FAMILY_MORE),
}


@dataclass
class Synthetic:
    """A generated set: `records`, `truth` (pairs of record ids, same person), and who
    each record is, for explaining errors (`kind`)."""

    records: list[Record]
    truth: set[frozenset[str]]
    person: list[int]  # per record (same order): the person's id
    base_household: list[int] = field(default_factory=list)  # per person id
    clan: dict[int, int] = field(default_factory=dict)  # base household → its brother's
    twin: dict[int, int] = field(default_factory=dict)  # person id → twin's person id
    relationship: list[str] = field(default_factory=list)  # per person id, first registration

    def index(self, record_id: str) -> int:
        return int(record_id[1:])

    def kind(self, a: str, b: str) -> str:
        """What two records are to each other: "same_person", "twins", "parent_child",
        "siblings", "spouses", "household" (other relatives living together), "cousins"
        (a brother's household) or "unrelated"."""
        pa, pb = self.person[self.index(a)], self.person[self.index(b)]
        if pa == pb:
            return "same_person"
        if self.twin.get(pa) == pb:
            return "twins"
        ha, hb = self.base_household[pa], self.base_household[pb]
        if ha == hb:
            ra, rb = self.relationship[pa], self.relationship[pb]
            rels = {ra, rb}
            if rels <= {"head", "spouse"}:
                return "spouses"
            if ra in _CHILD and rb in _CHILD:
                return "siblings"
            if rels & {"head", "spouse"} and rels & set(_CHILD):
                return "parent_child"
            return "household"
        if self.clan.get(ha, -1) == self.clan.get(hb, -2):
            return "cousins"
        return "unrelated"

    def cross_script(self, pair: Iterable[str]) -> bool:
        a, b = (self.records[self.index(x)] for x in pair)
        return name_script(a) != name_script(b)


def name_script(record: Record) -> str:
    """ "ar" when the record's names are in Arabic script, "latin" when in Latin
    letters, "" when it has no name."""
    text = record.given_name or record.full_name or record.family_name or record.father_name
    for ch in text:
        if "\u0600" <= ch <= "\u06ff":
            return "ar"
        if ch.isalpha():
            return "latin"
    return ""


def generate(n_records: int, seed: int = 1) -> tuple[list[Record], set[frozenset[str]]]:
    """`n_records` records and the pairs of record ids that are the same person."""
    syn = generate_full(n_records, seed)
    return syn.records, syn.truth


def cached(n_records: int, seed: int = 1) -> Synthetic:
    """`generate_full`, kept in the temporary folder (a pickle) for the next run."""
    folder = Path(tempfile.gettempdir()) / "sanad-bench-dedup"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"iraqi-{n_records}-{seed}-v{VERSION}.pickle"
    if path.exists():
        with path.open("rb") as fh:
            return pickle.load(fh)  # noqa: S301 — our own file
    syn = generate_full(n_records, seed)
    partial = path.with_suffix(".part")
    with partial.open("wb") as fh:
        pickle.dump(syn, fh, protocol=pickle.HIGHEST_PROTOCOL)
    partial.rename(path)
    return syn


def generate_full(n_records: int, seed: int = 1) -> Synthetic:
    return _Builder(seed).build(n_records)


# --------------------------------------------------------------------------------------
class _Names:
    """A community's names: the demo tables with their longer tails (`_MORE`)."""

    __slots__ = ("family", "family_set", "female", "female_set", "key", "male", "male_set")

    def __init__(self, key: str) -> None:
        community = COMMUNITIES[key]
        more_male, more_female, more_family = _MORE[key]
        self.key = key
        self.male = community.elder_male + more_male
        self.female = community.elder_female + more_female
        self.family = community.family + more_family
        self.male_set = set(self.male.latin)
        self.female_set = set(self.female.latin)
        self.family_set = set(self.family.latin)

    def score(self, head: dict[str, Any]) -> int:
        names = self.female_set if head["sex"] == "female" else self.male_set
        return (
            (head["given_name_ar"] in names)
            + (head["fathers_name_ar"] in self.male_set)
            + (head["grandfathers_name_ar"] in self.male_set)
            + 2 * (head["family_name_ar"] in self.family_set)
        )


def _places() -> list[tuple[str, str]]:
    """(admin unit P-code, address) where a household may have moved to."""
    out = [(s.pcode, s.code) for s in geo.SITES if s.weight]
    out += [(a.pcode, "") for a in geo.AREAS]
    return out


class _Form:
    """How one partner's registration form and enumerator write a household."""

    __slots__ = (
        "case",
        "docs",
        "drop_article",
        "family",
        "full_only",
        "grandfather",
        "latin",
        "phone",
        "quad",
        "spelt",
        "variant",
        "year_only",
    )

    def __init__(self, rnd: Any) -> None:
        self.latin = rnd() < LATIN_SHARE
        self.full_only = rnd() < FULL_NAME_ONLY
        self.quad = rnd() < 0.5  # a full name with the family name, or the triple name
        self.grandfather = rnd() < 0.85
        self.family = rnd() < 0.8
        self.docs = rnd() < 0.4
        self.phone = rnd() < 0.9
        self.year_only = rnd() < 0.3  # an estimated birth date written as the year only
        r = rnd()
        self.case = "upper" if r < 0.15 else "lower" if r < 0.22 else ""
        self.variant = rnd() < 0.5
        self.drop_article = rnd() < 0.15
        self.spelt: dict[str, str] = {}


class _Builder:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed * 7919 + 17)
        self.rnd = self.rng.random
        self.spellings = latin_spellings()
        self.names = [_Names(key) for key in COMMUNITIES]
        for names in self.names:
            for table in (names.male, names.female, names.family):
                for ar, forms in table.spellings().items():
                    self.spellings.setdefault(ar, forms)
        self.h_names = self.names[0]  # the community of the household being drawn
        self.places = _places()
        # per person id
        self.base_household: list[int] = []
        self.relationship: list[str] = []
        self.twin: dict[int, int] = {}
        self.clan: dict[int, int] = {}
        self.registrations: list[list[tuple[Any, ...]]] = []
        self.brother_of: tuple[int, dict[str, Any], str, tuple[str, Any]] | None = None

    # --- the truth about each household --------------------------------------------
    def new_person(self, member: dict[str, Any], household: int) -> None:
        member["_pid"] = len(self.base_household)
        self.base_household.append(household)
        self.relationship.append(member["relationship"])

    def spelling(self, ar: str) -> str:
        options = self.spellings.get(ar)
        return options[0] if options else ""

    def pick_given(self, male: bool, avoid: set[str]) -> tuple[str, str]:
        table = self.h_names.male if male else self.h_names.female
        name = table.pick(self.rnd())
        for _ in range(6):
            if name[0] not in avoid:
                break
            name = table.pick(self.rnd())
        return name

    def diversify(self, members: list[dict[str, Any]]) -> None:
        """Draw the household's names again, each distinct name the same way everywhere
        in the household (so that the patronymic chain holds), from the longer tables of
        its community."""
        rnd = self.rnd
        head = members[0]
        self.h_names = names = max(self.names, key=lambda n: n.score(head))
        mapping: dict[tuple[str, str], tuple[str, str] | None] = {}
        used: set[str] = set()
        for m in members:
            for part in ("given_name", "fathers_name", "grandfathers_name", "family_name"):
                ar = m[part + "_ar"]
                if not ar:
                    continue
                if part == "family_name":
                    kind, table = "family", names.family
                elif part == "given_name" and m["sex"] == "female":
                    kind, table = "female", names.female
                else:
                    kind, table = "male", names.male
                key = (kind, ar)
                if key not in mapping:
                    new = None
                    if rnd() < DIVERSIFY:
                        for _ in range(4):
                            new = table.pick(rnd())
                            if new[0] not in used:
                                break
                    mapping[key] = new
                    used.add(new[0] if new else ar)
                new = mapping[key]
                if new is not None:
                    m[part + "_ar"] = new[0]
                    if m[part + "_en"]:
                        m[part + "_en"] = new[1]

    def enrich(self, index: int, household: dict[str, Any], members: list[dict[str, Any]]) -> None:
        """Twins, a son named after his grandfather, a brother's household nearby."""
        rnd = self.rnd
        head = members[0]
        male_headed = head["sex"] == "male" and head["relationship"] == "head"
        children = [m for m in members if m["relationship"] in _CHILD]
        if (
            male_headed
            and self.brother_of is not None
            and self.brother_of[2] == self.h_names.key  # a brother of the same community
        ):
            clan, first_head, _, place = self.brother_of
            self.brother_of = None
            self.make_brother(members, first_head)
            household["admin_unit"], household["place_code"] = place  # they live close by
            self.clan[index] = clan
            self.clan[clan] = clan
        elif male_headed and rnd() < BROTHER_NEARBY:
            place = (household["admin_unit"], household.get("place_code"))
            self.brother_of = (index, head, self.h_names.key, place)
        if male_headed and children and rnd() < NAMED_AFTER_GRANDFATHER:
            son = next((m for m in children if m["sex"] == "male"), None)
            if son is not None and son["given_name_ar"] != head["fathers_name_ar"]:
                old = son["given_name_ar"]
                son["given_name_ar"] = head["fathers_name_ar"]
                son["given_name_en"] = head["fathers_name_en"] if son["given_name_en"] else ""
                for m in members:  # his own children's father's name
                    if m["relationship"] == "grandchild" and m["fathers_name_ar"] == old:
                        m["fathers_name_ar"] = son["given_name_ar"]
                        m["fathers_name_en"] = son["given_name_en"] if m["fathers_name_en"] else ""
        young = [m for m in children if m["date_of_birth"][:4] >= "2008"]
        if young and rnd() < TWINS:
            first = young[int(rnd() * len(young))]
            twin = dict(first, documents=[], phone="", is_alternate_collector=False)
            male = first["sex"] == "male" if rnd() < 0.6 else rnd() < 0.51
            twin["sex"] = "male" if male else "female"
            twin["relationship"] = "son" if male else "daughter"
            used = {m["given_name_ar"] for m in members}
            if male and first["sex"] == "male" and rnd() < 0.4:
                pair = (_HASSAN, _HUSSEIN)
                first["given_name_ar"], twin["given_name_ar"] = pair
                en = (
                    self.spellings.get(_HASSAN, ("Hassan",))[0],
                    self.spellings.get(_HUSSEIN, ("Hussein",))[0],
                )
                if first["given_name_en"]:
                    first["given_name_en"], twin["given_name_en"] = en
            else:
                name = self.pick_given(male, used)
                twin["given_name_ar"] = name[0]
                twin["given_name_en"] = name[1] if first["given_name_en"] else ""
            members.insert(members.index(first) + 1, twin)
            twin["_twin_of"] = first

    def make_brother(self, members: list[dict[str, Any]], first: dict[str, Any]) -> None:
        """`members` become the household of `first`'s brother: the same father,
        grandfather and family; their children are cousins of `first`'s."""
        head = members[0]
        latin = bool(head["given_name_en"])
        for part in ("fathers_name", "grandfathers_name", "family_name"):
            head[part + "_ar"] = first[part + "_ar"]
            head[part + "_en"] = (
                (first[part + "_en"] or self.spelling(first[part + "_ar"])) if latin else ""
            )
        if head["given_name_ar"] == first["given_name_ar"]:
            other = self.pick_given(True, {first["given_name_ar"]})
            head["given_name_ar"] = other[0]
            head["given_name_en"] = other[1] if head["given_name_en"] else ""
        for m in members[1:]:
            rel = m["relationship"]
            if rel in _CHILD:
                m["fathers_name_ar"], m["fathers_name_en"] = (
                    head["given_name_ar"],
                    head["given_name_en"] if m["fathers_name_en"] else "",
                )
                m["grandfathers_name_ar"] = head["fathers_name_ar"]
                m["grandfathers_name_en"] = head["fathers_name_en"] if m["fathers_name_en"] else ""
                m["family_name_ar"] = head["family_name_ar"]
                m["family_name_en"] = head["family_name_en"] if m["family_name_en"] else ""
            elif rel in ("brother", "sister", "grandchild"):
                m["family_name_ar"] = head["family_name_ar"]
                m["family_name_en"] = head["family_name_en"] if m["family_name_en"] else ""
                if rel != "grandchild":
                    m["fathers_name_ar"] = head["fathers_name_ar"]
                    m["grandfathers_name_ar"] = head["grandfathers_name_ar"]
                    m["fathers_name_en"] = head["fathers_name_en"] if m["fathers_name_en"] else ""
                    m["grandfathers_name_en"] = (
                        head["grandfathers_name_en"] if m["grandfathers_name_en"] else ""
                    )
                else:
                    m["grandfathers_name_ar"] = head["given_name_ar"]
                    m["grandfathers_name_en"] = (
                        head["given_name_en"] if m["grandfathers_name_en"] else ""
                    )

    # --- writing people down ---------------------------------------------------------
    def latin(self, form: _Form, ar: str, given_en: str, first: bool) -> str:
        if not ar:
            return ""
        out = form.spelt.get(ar)
        if out is None:
            options = self.spellings.get(ar)
            if first and given_en:
                out = given_en
            elif options:
                out = respell(options, self.rnd())
            else:
                out = given_en or ar
            if self.rnd() < (0.02 if not first else 0.01):
                out = self.typo(out)
            if form.drop_article and out[:3].lower() in ("al-", "al ", "el-") and len(out) > 5:
                out = out[3:]
            if form.case == "upper":
                out = out.upper()
            elif form.case == "lower":
                out = out.lower()
            form.spelt[ar] = out
        return out

    def arabic(self, form: _Form, ar: str, first: bool) -> str:
        if not ar:
            return ""
        out = form.spelt.get(ar)
        if out is None:
            out = arabic_variant(ar, self.rnd) if form.variant else ar
            if form.drop_article and out.startswith("ال") and len(out) > 4:
                out = out[2:]
            if self.rnd() < (0.015 if not first else 0.005) and len(out) > 3:
                i = 1 + int(self.rnd() * (len(out) - 2))
                out = out[:i] + out[i + 1 :]
            form.spelt[ar] = out
        return out

    def typo(self, text: str) -> str:
        if len(text) < 4:
            return text
        rnd = self.rnd
        i = 1 + int(rnd() * (len(text) - 2))
        r = rnd()
        if r < 0.4:
            return text[:i] + text[i + 1 :]
        if r < 0.7:
            return text[:i] + text[i] + text[i:]
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]

    def phone(self, number: str) -> str:
        if not number:
            return ""
        r = self.rnd()
        local = number[4:]  # +964 7xx… → 7xx…
        if r < 0.4:
            return "0" + local
        if r < 0.5:
            return "00964" + local
        if r < 0.6:
            return f"0{local[:3]} {local[3:6]} {local[6:]}"
        return number

    def new_phone(self) -> str:
        return f"+9647{'5789'[int(self.rnd() * 4)]}{int(self.rnd() * 1e8):08d}"

    def dob(self, form: _Form, dob: str, estimated: bool, again: bool) -> tuple[str, bool]:
        """The date of birth as this registration writes it."""
        if not dob:
            return "", False
        rnd = self.rnd
        if again:
            r = rnd()
            year = int(dob[:4])
            if r < 0.04:
                return "", False
            if estimated:
                if r < 0.3:
                    year += 1 if rnd() < 0.5 else -1
                elif r < 0.4:  # the real date this time
                    return f"{year:04d}-{1 + int(rnd() * 12):02d}-{1 + int(rnd() * 28):02d}", False
                estimated = True
            elif r < 0.17 and year < 2016:  # an age instead of a date
                if rnd() < 0.25:
                    year += 1 if rnd() < 0.5 else -1
                estimated = True
            elif r < 0.23:
                month, day = dob[5:7], dob[8:10]
                if day <= "12" and day != month:
                    return f"{dob[:4]}-{day}-{month}", False
            elif r < 0.27:
                dom = int(dob[8:10])
                dom = dom + 1 if dom < 28 else dom - 1
                return f"{dob[:8]}{dom:02d}", False
            if estimated:
                if form.year_only:
                    return f"{year:04d}", True
                return f"{year:04d}-{'07' if rnd() < 0.25 else '01'}-01", rnd() < 0.7
            return dob, False
        if estimated and form.year_only:
            return dob[:4], True
        return dob, estimated

    def render(
        self,
        form: _Form,
        members: list[dict[str, Any]],
        unit: str,
        address: str,
        again: bool,
        relabel: dict[int, str] | None = None,
        phones: dict[int, str] | None = None,
    ) -> list[tuple[Any, ...]]:
        """One registration: a tuple per member (the person id, then Record fields)."""
        rnd = self.rnd
        out = []
        admin1, admin2 = unit[:5], unit[:8]
        for m in members:
            pid = m["_pid"]
            if form.latin:
                parts = [
                    self.latin(form, m["given_name_ar"], m["given_name_en"], not again),
                    self.latin(form, m["fathers_name_ar"], m["fathers_name_en"], not again),
                    self.latin(
                        form, m["grandfathers_name_ar"], m["grandfathers_name_en"], not again
                    ),
                    self.latin(form, m["family_name_ar"], m["family_name_en"], not again),
                ]
            else:
                parts = [
                    self.arabic(form, m["given_name_ar"], not again),
                    self.arabic(form, m["fathers_name_ar"], not again),
                    self.arabic(form, m["grandfathers_name_ar"], not again),
                    self.arabic(form, m["family_name_ar"], not again),
                ]
            full = ""
            if form.full_only:
                full = " ".join(p for p in (parts if form.quad else parts[:3]) if p)
                parts = ["", "", "", ""]
            else:
                if not form.grandfather:
                    parts[2] = ""
                if not form.family:
                    parts[3] = ""
            dob, estimated = self.dob(form, m["date_of_birth"], m["dob_estimated"], again)
            sex = m["sex"]
            if again:
                r = rnd()
                if r < 0.01:
                    sex = ""
                elif r < 0.013:
                    sex = "female" if sex == "male" else "male"
            phone = ""
            if form.phone:
                phone = phones.get(pid, m["phone"]) if phones is not None else m["phone"]
                phone = self.phone(phone)
            doc = ""
            if form.docs and m["documents"]:
                doc = m["documents"][0]["number"]
                if again and rnd() < 0.02:
                    doc = self.typo(doc)
            rel = relabel.get(pid, m["relationship"]) if relabel else m["relationship"]
            out.append(
                (
                    pid,
                    *parts,
                    full,
                    sex,
                    dob,
                    estimated,
                    phone,
                    doc,
                    address,
                    admin1,
                    admin2,
                    rel,
                )
            )
        return out

    # --- re-registrations ------------------------------------------------------------
    def again(self, household: dict[str, Any], members: list[dict[str, Any]]) -> None:
        rnd = self.rnd
        unit, address = household["admin_unit"], household.get("place_code") or ""
        if rnd() < 0.3:  # moved: another district, sometimes another governorate
            same_gov = [p for p in self.places if p[0][:5] == unit[:5] and p[0][:8] != unit[:8]]
            pool = same_gov if same_gov and rnd() < 0.6 else self.places
            unit, address = pool[int(rnd() * len(pool))]
        relabel: dict[int, str] = {}
        married_son = next(
            (m for m in members if m["relationship"] == "son" and m["marital_status"] == "married"),
            None,
        )
        if married_son is not None and rnd() < SPLIT:
            group = [married_son] + [
                m for m in members if m["relationship"] in ("daughter_in_law", "grandchild")
            ]
            for m in group:
                rel = m["relationship"]
                relabel[m["_pid"]] = (
                    "head"
                    if m is married_son
                    else "spouse"
                    if rel == "daughter_in_law"
                    else ("son" if m["sex"] == "male" else "daughter")
                )
            chosen = group
        else:
            chosen = [m for i, m in enumerate(members) if i == 0 or rnd() >= 0.07]
            if len(members) > 1 and members[1]["relationship"] == "spouse" and rnd() < 0.08:
                relabel[members[0]["_pid"]] = "spouse"  # the wife registers as head
                relabel[members[1]["_pid"]] = "head"
                chosen = [members[1], *(m for m in chosen if m is not members[1])]
            kids = [m for m in chosen if m["relationship"] in _CHILD]
            if kids and rnd() < 0.15:  # a baby born since: not a duplicate of anyone
                template = kids[-1]
                male = rnd() < 0.51
                used = {m["given_name_ar"] for m in members}
                name = self.pick_given(male, used)
                baby = dict(
                    template,
                    given_name_ar=name[0],
                    given_name_en=name[1] if template["given_name_en"] else "",
                    sex="male" if male else "female",
                    relationship="son" if male else "daughter",
                    date_of_birth=f"2026-{1 + int(rnd() * 9):02d}-{1 + int(rnd() * 28):02d}",
                    dob_estimated=False,
                    documents=[],
                    phone="",
                )
                self.new_person(baby, self.base_household[template["_pid"]])
                chosen.append(baby)
        phones: dict[int, str] = {}
        r = rnd()
        for m in chosen:
            if m["phone"]:
                phones[m["_pid"]] = self.new_phone() if r < 0.3 else "" if r < 0.45 else m["phone"]
        form = _Form(rnd)
        self.registrations.append(self.render(form, chosen, unit, address, True, relabel, phones))

    # --- the set ---------------------------------------------------------------------
    def build(self, n_records: int) -> Synthetic:
        rnd = self.rnd
        expected = REREGISTERED * (1 + THIRD_TIME) * 0.95
        households = int(n_records / _AVG_HOUSEHOLD / (1 + expected)) + 50
        total = 0
        index = 0
        stream = generate_households(households * 2, seed=self.seed)
        for record in stream:
            household = record["household"]
            if household.get("demo_duplicate_of"):
                continue  # this module makes its own re-registrations
            members = record["members"]
            for m in members:
                self.new_person(m, index)
            self.diversify(members)
            self.enrich(index, household, members)
            for m in members:
                if "_twin_of" in m:
                    self.new_person(m, index)
                    a, b = m["_pid"], m.pop("_twin_of")["_pid"]
                    self.twin[a], self.twin[b] = b, a
            form = _Form(rnd)
            first = self.render(
                form, members, household["admin_unit"], household.get("place_code") or "", False
            )
            self.registrations.append(first)
            total += len(first)
            if rnd() < REREGISTERED:
                before = len(self.registrations)
                self.again(household, members)
                if rnd() < THIRD_TIME:
                    self.again(household, members)
                total += sum(len(r) for r in self.registrations[before:])
            index += 1
            if total >= n_records:
                break
        return self.finish(n_records)

    def finish(self, n_records: int) -> Synthetic:
        self.rng.shuffle(self.registrations)
        records: list[Record] = []
        person: list[int] = []
        width = max(7, len(str(n_records)))
        for h, registration in enumerate(self.registrations):
            household_id = f"H{h:0{width}d}"
            for row in registration:
                if len(records) >= n_records:
                    break
                record_id = f"P{len(records):0{width}d}"
                records.append(
                    Record(
                        record_id,
                        household_id,
                        **dict(zip(_RECORD_FIELDS, row[1:], strict=True)),
                    )
                )
                person.append(row[0])
        self.registrations = []
        by_person: dict[int, list[str]] = {}
        for record, pid in zip(records, person, strict=True):
            by_person.setdefault(pid, []).append(record.record_id)
        truth = {
            frozenset(pair)
            for ids in by_person.values()
            if len(ids) > 1
            for pair in itertools.combinations(ids, 2)
        }
        return Synthetic(
            records=records,
            truth=truth,
            person=person,
            base_household=self.base_household,
            clan=self.clan,
            twin=self.twin,
            relationship=self.relationship,
        )
